"""Writes interop.safetensors with Python's `safetensors` package, for SafetensorsTests.

Deterministic (fixed seed, no timestamps). Run from this folder:
    python3 make_interop.py
It also records the library versions used in versions.json.

Tensors (values the Swift test recomputes independently):
  f32_ramp   F32  [2, 3, 4]  (i * 0.25 - 3) for i in 0..<24
  f16_specials F16 [10]      0, -0, 2^-24 (min subnormal), -2^-24 * 1023 (max subnormal, neg),
                             2^-14 (min normal), 65504, -inf, inf, nan, 1/3 (rounded by numpy)
  bf16_specials BF16 [8]     0, -0, 1, -2.5, 2^-133 (bf16 subnormal), 3.3895314e38 (max), inf, nan
  scalar     F32  []         42.5
  empty      F32  [0, 3]     no elements
  int_ids    I64  [3]        7, 8, 9 (not readable as floats)
  rne_source F32  [4096]     seeded random magnitudes from 2^-30 to 2^17 plus exact ties
  rne_f16    F16  [4096]     numpy rne_source.astype(float16)
  rne_bf16   BF16 [4096]     torch rne_source.to(bfloat16)
"""
import json

import numpy as np
import safetensors
import torch
from safetensors.torch import save_file

rng = np.random.default_rng(20240611)

ramp = (np.arange(24, dtype=np.float32) * 0.25 - 3).reshape(2, 3, 4)
f16_specials = np.array(
    [0.0, -0.0, 2.0**-24, -(2.0**-24) * 1023, 2.0**-14, 65504.0, -np.inf, np.inf, np.nan, 1 / 3],
    dtype=np.float16,
)
bf16_specials = torch.tensor(
    [0.0, -0.0, 1.0, -2.5, 2.0**-133, 3.3895314e38, float("inf"), float("nan")], dtype=torch.bfloat16
)

# Random sign, exponent and mantissa, so every rounding path of float16 is exercised
# (subnormal, normal, overflow to inf) ...
exponents = rng.integers(-30, 18, size=4000)
mantissas = rng.random(4000) + 1.0
signs = rng.choice([-1.0, 1.0], size=4000)
random_part = (signs * mantissas * np.exp2(exponents)).astype(np.float32)
# ... plus exact ties: midpoints between neighbouring positive halves (even and odd below),
# the float16 overflow and underflow thresholds, and floats whose low 16 bits are exactly
# 0x8000 (bfloat16 ties).
half_bits = rng.integers(1, 0x7BFF, size=48).astype(np.uint16)
below = half_bits.view(np.float16).astype(np.float64)
above = (half_bits + 1).view(np.float16).astype(np.float64)
f16_ties = (below + above) / 2
thresholds = np.array([65520.0, 65519.99, 2.0**-25, 2.0**-25 * 1.0000001, 3 * 2.0**-26])
bf16_ties = ((rng.integers(0x0080, 0x7F7F, size=43).astype(np.uint32) << 16) | 0x8000).view(np.float32)
ties = np.concatenate([f16_ties, thresholds, bf16_ties]).astype(np.float32)
rne_source = np.concatenate([random_part, ties]).astype(np.float32)
assert rne_source.shape == (4096,)

with np.errstate(over="ignore"):  # values past 65520 become inf on purpose
    rne_f16 = rne_source.astype(np.float16)

tensors = {
    "f32_ramp": torch.from_numpy(ramp),
    "f16_specials": torch.from_numpy(f16_specials),
    "bf16_specials": bf16_specials,
    "scalar": torch.tensor(42.5, dtype=torch.float32),
    "empty": torch.zeros((0, 3), dtype=torch.float32),
    "int_ids": torch.tensor([7, 8, 9], dtype=torch.int64),
    "rne_source": torch.from_numpy(rne_source),
    "rne_f16": torch.from_numpy(rne_f16),
    "rne_bf16": torch.from_numpy(rne_source).to(torch.bfloat16),
}
save_file(tensors, "interop.safetensors", metadata={"format": "pt", "purpose": "interop test"})

with open("versions.json", "w") as f:
    json.dump(
        {"safetensors": safetensors.__version__, "torch": torch.__version__.split("+")[0], "numpy": np.__version__},
        f,
        indent=2,
    )
    f.write("\n")
