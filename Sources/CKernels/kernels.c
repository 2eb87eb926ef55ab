#include "CKernels.h"

#include <string.h>

// Each kernel is written once, in kernels_body.h, over a vector type `vf` of W floats (GCC/clang
// vector extensions), and compiled twice: W = 8 with AVX2 + FMA (one ymm register, fused
// multiply-adds) and W = 4 for baseline x86-64 (SSE2). The exported functions pick one at run
// time. (`target_clones` cannot do this: a 256-bit vector in a baseline function is an ABI
// error, so the width has to change with the target.)

/// Rows per attention strip (the micro-tile is CK_MR rows × 2W columns: 12 accumulators).
#define CK_MR 6

/// n rounded up to a multiple of 16: the packed keys' and values' row strides (a multiple of
/// both widths' 2W tile, so one packing serves both).
static inline ptrdiff_t ck_round16(ptrdiff_t n) { return (n + 15) & ~(ptrdiff_t)15; }

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

static int forceBaseline = 0;

static int useAVX2(void) {
#ifdef CK_HAS_AVX2_CLONE
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return cached && !forceBaseline;
#else
    return 0;
#endif
}

int ck_force_baseline(int on) {
    int was = forceBaseline;
    forceBaseline = on != 0;
    return was;
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

ptrdiff_t ck_attention_packed_count(ptrdiff_t m, ptrdiff_t hd) { return hd * ck_round16(m) + m * ck_round16(hd); }

ptrdiff_t ck_attention_scratch_count(ptrdiff_t m) { return CK_MR * ck_round16(m); }

void ck_attention_pack(const float *k, const float *v, ptrdiff_t ld, ptrdiff_t m, ptrdiff_t hd, float *packed) {
    // Keys in panels of 16: kt[P][p][jj] = k[16P + jj, p] (zero past m), so a tile of S reads
    // one contiguous hd × 16 block. Values in panels of 16 columns: vp[C][j][cc] = v[j, 16C + cc]
    // (zero past hd). One pass over the rows, a few rows ahead prefetched: the rows are ld apart
    // and usually in L3 only, so without that the copy waits on every row's first load.
    const ptrdiff_t mPad = ck_round16(m), ahead = 4;
    float *kt = packed, *vp = packed + hd * mPad;
    if (m < mPad) memset(kt + (mPad - 16) * hd, 0, (size_t)(hd * 16) * sizeof(float));
    for (ptrdiff_t j = 0; j < m; j++) {
        if (j + ahead < m) {
            const char *kn = (const char *)(k + (j + ahead) * ld), *vn = (const char *)(v + (j + ahead) * ld);
            for (ptrdiff_t b = 0; b < hd * (ptrdiff_t)sizeof(float); b += 64) {
                __builtin_prefetch(kn + b);
                __builtin_prefetch(vn + b);
            }
        }
        const float *kr = k + j * ld, *vr = v + j * ld;
        float *kd = kt + (j / 16) * hd * 16 + j % 16;
        for (ptrdiff_t p = 0; p < hd; p++) kd[p * 16] = kr[p];
        float *vd = vp + j * 16;
        ptrdiff_t c = 0;
        for (; c + 16 <= hd; c += 16)
            for (ptrdiff_t i = 0; i < 16; i++) vd[c * m + i] = vr[c + i];
        if (c < hd) {
            for (ptrdiff_t i = 0; i < 16; i++) vd[c * m + i] = c + i < hd ? vr[c + i] : 0;
        }
    }
}

void ck_attention_rows(const float *q, ptrdiff_t ldq, ptrdiff_t rows, const float *packed, ptrdiff_t m,
                       ptrdiff_t hd, float scale, ptrdiff_t causalFirst, float *out, ptrdiff_t ldo, float *scratch) {
#ifdef CK_HAS_AVX2_CLONE
    if (useAVX2()) { attention_rows_avx2(q, ldq, rows, packed, m, hd, scale, causalFirst, out, ldo, scratch); return; }
#endif
    attention_rows_base(q, ldq, rows, packed, m, hd, scale, causalFirst, out, ldo, scratch);
}
