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

/// Floats per vector in the kernels this CPU runs: 8 (AVX2 + FMA) or 4 (SSE2).
int ck_vector_width(void);

#ifdef __cplusplus
}
#endif

#endif
