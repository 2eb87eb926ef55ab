// Attention core of one OWL-ViT B/32 layer at 768 px (577 tokens, 12 heads × 64) on ONE thread,
// two ways, alternating between rounds:
//   sgemm:  as AttentionCore ran it before issue 13d: per head and block of B = 64 query rows,
//           sgemm S = s·Q·Kᵀ, ck_exp_shifted_row per row, sgemm C = S·V, C /= row sums;
//   kernel: as it runs now: ck_attention_pack once per head, ck_attention_rows per block
//           (AVX2 + FMA on a CPU that has them), and the same with the SSE2 versions forced.
// Times are thread CPU time, so a machine shared with other jobs slows them less than wall-clock
// figures (caches still suffer). The kernel's result is checked against the sgemm one.
//
//   clang -O2 -I Sources/CKernels/include -I /usr/include/x86_64-linux-gnu/openblas-pthread \
//       tools/bench_attention.c Sources/CKernels/kernels.c -lopenblas -lm -o /tmp/bench_attention
//   /tmp/bench_attention 9        # rounds; prints the median per variant
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "CKernels.h"

static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

enum { N = 577, HEADS = 12, HD = 64, D = HEADS * HD, LD = 3 * D, B = 64, MAXR = 64 };

static double viaSgemm(const float *qkv, float *ctx, float *s, float *sums) {
    double t0 = cpu();
    for (int h = 0; h < HEADS; h++) {
        for (int first = 0; first < N; first += B) {
            int c = N - first < B ? N - first : B;
            const float *q = qkv + first * LD + h * HD, *k = qkv + D + h * HD, *v = k + D;
            float *out = ctx + first * D + h * HD;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, c, N, HD, 0.125f, q, LD, k, LD, 0, s, N);
            for (int i = 0; i < c; i++) sums[i] = ck_exp_shifted_row(s + i * N, N);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c, HD, N, 1, s, N, v, LD, 0, out, D);
            for (int i = 0; i < c; i++) {
                float inv = 1 / sums[i];
                for (int j = 0; j < HD; j++) out[i * D + j] *= inv;
            }
        }
    }
    return cpu() - t0;
}

static double viaKernel(const float *qkv, float *ctx, float *packed, float *strip) {
    double t0 = cpu();
    for (int h = 0; h < HEADS; h++) {
        ck_attention_pack(qkv + D + h * HD, qkv + 2 * D + h * HD, LD, N, HD, packed);
        for (int first = 0; first < N; first += B) {
            int c = N - first < B ? N - first : B;
            ck_attention_rows(qkv + first * LD + h * HD, LD, c, packed, N, HD, 0.125f, -1, ctx + first * D + h * HD, D,
                              strip);
        }
    }
    return cpu() - t0;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 9;
    if (rounds < 1 || rounds > MAXR) rounds = 9;
    openblas_set_num_threads(1);
    float *qkv = malloc(sizeof(float) * N * LD), *ref = malloc(sizeof(float) * N * D), *ctx = malloc(sizeof(float) * N * D);
    float *s = malloc(sizeof(float) * B * N), *sums = malloc(sizeof(float) * B);
    float *packed = malloc(sizeof(float) * ck_attention_packed_count(N, HD));
    float *strip = malloc(sizeof(float) * ck_attention_scratch_count(N));
    for (int i = 0; i < N * LD; i++) qkv[i] = 2 * sinf(i * 0.7f);
    const char *names[] = {"sgemm + exp rows", "kernel", "kernel, SSE2 forced"};
    static double times[3][MAXR];
    double worst = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < 3; i++) {
            int v = r % 2 ? 2 - i : i;  // alternate the order between rounds
            ck_force_baseline(v == 2);
            times[v][r] = v == 0 ? viaSgemm(qkv, ref, s, sums) : viaKernel(qkv, ctx, packed, strip);
            ck_force_baseline(0);
        }
        for (int i = 0; i < N * D; i++) worst = fmax(worst, fabs(ref[i] - ctx[i]));
    }
    const double flop = 2.0 * 2 * N * N * D;
    for (int v = 0; v < 3; v++) {
        qsort(times[v], rounds, sizeof(double), cmp);
        double m = times[v][rounds / 2];
        printf("%-20s %.2f ms per layer (min %.2f, max %.2f), %.1f GFLOP/s; 12 layers %.0f ms\n", names[v], m * 1e3,
               times[v][0] * 1e3, times[v][rounds - 1] * 1e3, flop / m / 1e9, 12 * m * 1e3);
    }
    printf("largest difference kernel vs sgemm (AVX2 and SSE2): %.2g\n", worst);
    return 0;
}
