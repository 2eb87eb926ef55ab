#include "CKernels.h"

// Each kernel is written once, in kernels_body.h, over a vector type `vf` of W floats (GCC/clang
// vector extensions), and compiled twice: W = 8 with AVX2 + FMA (one ymm register, fused
// multiply-adds) and W = 4 for baseline x86-64 (SSE2). The exported functions pick one at run
// time. (`target_clones` cannot do this: a 256-bit vector in a baseline function is an ABI
// error, so the width has to change with the target.)

#if defined(__x86_64__) && defined(__clang__)
#define CK_HAS_AVX2_CLONE 1
#define W 8
#define CK_SUFFIX(name) name##_avx2
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#include "kernels_body.h"
#pragma clang attribute pop
#undef W
#undef CK_SUFFIX
#endif

#define W 4
#define CK_SUFFIX(name) name##_base
#include "kernels_body.h"
#undef W
#undef CK_SUFFIX

static int useAVX2(void) {
#ifdef CK_HAS_AVX2_CLONE
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return cached;
#else
    return 0;
#endif
}

float ck_exp_shifted_row(float *row, ptrdiff_t n) {
#ifdef CK_HAS_AVX2_CLONE
    if (useAVX2()) return exp_shifted_row_avx2(row, n);
#endif
    return exp_shifted_row_base(row, n);
}

void ck_bias_activation(float *x, const float *bias, ptrdiff_t rows, ptrdiff_t n, int activation) {
#ifdef CK_HAS_AVX2_CLONE
    if (useAVX2()) { bias_activation_avx2(x, bias, rows, n, activation); return; }
#endif
    bias_activation_base(x, bias, rows, n, activation);
}

void ck_exp(const float *x, float *out, ptrdiff_t n) {
#ifdef CK_HAS_AVX2_CLONE
    if (useAVX2()) { exp_avx2(x, out, n); return; }
#endif
    exp_base(x, out, n);
}

int ck_vector_width(void) { return useAVX2() ? 8 : 4; }
