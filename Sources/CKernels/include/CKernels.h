#ifndef CKERNELS_H
#define CKERNELS_H

// Row-wise vector kernels of the encoders (softmax exponentials, MLP activations), in C so
// that they can run 8-wide with FMA: Swift code is compiled for baseline x86-64 (SSE2) and a
// package may not pass -mavx2. Each function is built twice (`target_clones`): for x86-64-v3
// (AVX2 + FMA) and for the baseline; the loader picks the clone the CPU supports.

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Activations of `ck_bias_activation` (CLIP's `hidden_act`).
enum CKActivation {
    CKActivationQuickGELU = 0,  ///< x · sigmoid(1.702 x)
    CKActivationGELU = 1,       ///< 0.5 x (1 + erf(x / √2)), exact GELU
    CKActivationGELUTanh = 2,   ///< 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))
};

/// row[0 ..< n] = exp(row − max(row)) in place (the unnormalised softmax); returns the row's
/// sum. n ≥ 1; entries of −∞ give 0.
float ck_exp_shifted_row(float *row, ptrdiff_t n);

/// x[r, j] = act(x[r, j] + bias[j]) in place for r < rows, j < n. x: [rows, n] (row stride n);
/// bias: [n] or NULL.
void ck_bias_activation(float *x, const float *bias, ptrdiff_t rows, ptrdiff_t n, int activation);

/// out[j] = exp(x[j]) for j < n (x and out may alias); the same exp as the two kernels above,
/// for tests. Accurate to ~2 ulp on [−87.3, 88.3]; clamped outside (exp(−∞) = 0).
void ck_exp(const float *x, float *out, ptrdiff_t n);

/// Floats `ck_attention_pack` writes for one head of m keys of width hd.
ptrdiff_t ck_attention_packed_count(ptrdiff_t m, ptrdiff_t hd);

/// One head's keys and values packed for `ck_attention_rows`: k, v: [m, hd] (row stride ld);
/// packed: `ck_attention_packed_count(m, hd)` floats (keys transposed, rows padded to 16).
void ck_attention_pack(const float *k, const float *v, ptrdiff_t ld, ptrdiff_t m, ptrdiff_t hd, float *packed);

/// Scratch floats `ck_attention_rows` needs for m keys.
ptrdiff_t ck_attention_scratch_count(ptrdiff_t m);

/// out[r, 0 ..< hd] = softmax_j(scale · q[r] · k[j]) · v for query rows r < rows, keys
/// j < m, or with causalFirst ≥ 0 only keys j ≤ causalFirst + r (row r is query causalFirst + r).
/// q: [rows, hd] (row stride ldq); packed: from `ck_attention_pack`; out: [rows, hd] (row stride
/// ldo); scratch: `ck_attention_scratch_count(m)` floats.
void ck_attention_rows(const float *q, ptrdiff_t ldq, ptrdiff_t rows, const float *packed, ptrdiff_t m,
                       ptrdiff_t hd, float scale, ptrdiff_t causalFirst, float *out, ptrdiff_t ldo, float *scratch);

/// Tests only: with on ≠ 0 every kernel runs its baseline (SSE2) version even on an AVX2 CPU;
/// returns the previous setting. Not thread-safe against kernels running at the same time.
int ck_force_baseline(int on);

/// Floats per vector in the kernels this CPU runs: 8 (AVX2 + FMA) or 4 (SSE2).
int ck_vector_width(void);

#ifdef __cplusplus
}
#endif

#endif
