// The kernels of kernels.c over W-float vectors; included once per target (see there).
// Not a public header: no include guard on purpose.

#include <string.h>

#define vf CK_SUFFIX(vf)
#define vi CK_SUFFIX(vi)
#define load CK_SUFFIX(load)
#define store CK_SUFFIX(store)
#define splat CK_SUFFIX(splat)
#define bcast CK_SUFFIX(bcast)
#define loadTail CK_SUFFIX(loadTail)
#define storeTail CK_SUFFIX(storeTail)
#define hsum CK_SUFFIX(hsum)
#define hmax CK_SUFFIX(hmax)
#define vexp CK_SUFFIX(vexp)
#define verf CK_SUFFIX(verf)
#define activate CK_SUFFIX(activate)

typedef float vf __attribute__((vector_size(W * 4)));
typedef int vi __attribute__((vector_size(W * 4)));

#define CK_INLINE static inline __attribute__((always_inline))

// Loads and stores go through memcpy (unaligned, no aliasing questions): one vmovups each.
CK_INLINE vf load(const float *p) { vf v; memcpy(&v, p, sizeof v); return v; }
CK_INLINE void store(float *p, vf v) { memcpy(p, &v, sizeof v); }
/// x in every lane (0 + x: a −0 argument comes out +0).
CK_INLINE vf splat(float x) { return (vf){0} + x; }
/// x in every lane, exactly (one vbroadcastss from memory, no add: the GEMM tiles' operand).
CK_INLINE vf bcast(float x) {
    vf v;
    for (int i = 0; i < W; i++) v[i] = x;
    return v;
}

/// The first k < W floats of p, the other lanes `fill`.
CK_INLINE vf loadTail(const float *p, ptrdiff_t k, float fill) {
    float tmp[W];
    for (int i = 0; i < W; i++) tmp[i] = fill;
    memcpy(tmp, p, (size_t)k * sizeof(float));
    return load(tmp);
}

CK_INLINE void storeTail(float *p, vf v, ptrdiff_t k) {
    float tmp[W];
    store(tmp, v);
    memcpy(p, tmp, (size_t)k * sizeof(float));
}

CK_INLINE float hsum(vf v) {
    float s = 0;
    for (int i = 0; i < W; i++) s += v[i];
    return s;
}

CK_INLINE float hmax(vf v) {
    float m = v[0];
    for (int i = 1; i < W; i++) m = v[i] > m ? v[i] : m;
    return m;
}

/// exp(x): x = n·ln2 + r with n = round(x·log2 e), |r| ≤ ln2/2, exp(r) by a degree-6
/// polynomial (Cephes' expf coefficients), 2ⁿ put into the exponent bits. ~2 ulp on
/// [−87.3, 88.3]; above, exp(88.3) (at 88.7 the 2ⁿ factor would overflow to ∞ although exp
/// itself is finite); below (−∞ included), 0.
CK_INLINE vf vexp(vf xIn) {
    vi tiny = xIn < splat(-87.3f);
    vf x = __builtin_elementwise_min(xIn, splat(88.3f));
    x = __builtin_elementwise_max(x, splat(-87.3f));
    // Adding 1.5·2²³ rounds to the nearest integer and leaves it in the low mantissa bits.
    const vf magic = splat(12582912.0f);
    vf shifted = x * 1.4426950408889634f + magic;
    vf n = shifted - magic;
    vf r = x - n * 0.693359375f;
    r = r - n * -2.1219444005469058e-4f;
    vf p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    vi nBits = (vi)shifted - (vi)magic;
    vi scale = (nBits + 127) << 23;
    vf e = p * (vf)scale;
    return (vf)((vi)e & ~tiny);
}

/// erf(x) from erfc(|x|) = t·exp(−x² + P(t)), t = 1/(1 + |x|/2) (Numerical Recipes' erfcc,
/// relative error < 1.2e-7).
CK_INLINE vf verf(vf x) {
    vf z = __builtin_elementwise_abs(x);
    vf t = 1.0f / (1.0f + 0.5f * z);
    vf p = splat(0.17087277f);
    p = p * t + -0.82215223f;
    p = p * t + 1.48851587f;
    p = p * t + -1.13520398f;
    p = p * t + 0.27886807f;
    p = p * t + -0.18628806f;
    p = p * t + 0.09678418f;
    p = p * t + 0.37409196f;
    p = p * t + 1.00002368f;
    p = p * t + -1.26551223f;
    vf r = 1.0f - t * vexp(-z * z + p);
    vi sign = (vi)x & ((vi){0} + (int)0x80000000u);  // (splat(-0.0f) would be 0 + −0 = +0)
    return (vf)((vi)r ^ sign);
}

CK_INLINE vf activate(vf v, int activation) {
    switch (activation) {
    case CKActivationQuickGELU:
        return v / (1.0f + vexp(-1.702f * v));
    case CKActivationGELU:
        return 0.5f * v * (1.0f + verf(v * 0.7071067811865475f));
    default: {  // tanh(u) = 1 − 2/(exp(2u) + 1)
        vf u = 0.7978845608028654f * (v + 0.044715f * v * v * v);
        return 0.5f * v * (2.0f - 2.0f / (vexp(u + u) + 1.0f));
    }
    }
}

static float CK_SUFFIX(exp_shifted_row)(float *row, ptrdiff_t n) {
    const float inf = __builtin_inff();
    ptrdiff_t i = 0;
    vf mv = splat(-inf);
    for (; i + W <= n; i += W) mv = __builtin_elementwise_max(mv, load(row + i));
    if (i < n) mv = __builtin_elementwise_max(mv, loadTail(row + i, n - i, -inf));
    vf m = splat(hmax(mv));
    // Four independent exponentials per step: one vexp is a chain of ~15 dependent operations,
    // and with two in flight the loop waited on latency (0.74 → 0.65 ns per element, AVX2).
    vf acc0 = splat(0), acc1 = splat(0), acc2 = splat(0), acc3 = splat(0);
    for (i = 0; i + 4 * W <= n; i += 4 * W) {
        vf e0 = vexp(load(row + i) - m), e1 = vexp(load(row + i + W) - m);
        vf e2 = vexp(load(row + i + 2 * W) - m), e3 = vexp(load(row + i + 3 * W) - m);
        store(row + i, e0);
        store(row + i + W, e1);
        store(row + i + 2 * W, e2);
        store(row + i + 3 * W, e3);
        acc0 += e0;
        acc1 += e1;
        acc2 += e2;
        acc3 += e3;
    }
    for (; i + W <= n; i += W) {
        vf e = vexp(load(row + i) - m);
        store(row + i, e);
        acc0 += e;
    }
    if (i < n) {
        vf e = vexp(loadTail(row + i, n - i, -inf) - m);
        storeTail(row + i, e, n - i);
        acc1 += e;
    }
    return hsum((acc0 + acc1) + (acc2 + acc3));
}

static void CK_SUFFIX(bias_activation)(float *x, const float *bias, ptrdiff_t rows, ptrdiff_t n, int activation) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        float *row = x + r * n;
        ptrdiff_t i = 0;
        for (; i + W <= n; i += W) {
            vf v = load(row + i);
            if (bias) v += load(bias + i);
            store(row + i, activate(v, activation));
        }
        if (i < n) {
            vf v = loadTail(row + i, n - i, 0);
            if (bias) v += loadTail(bias + i, n - i, 0);
            storeTail(row + i, activate(v, activation), n - i);
        }
    }
}

static void CK_SUFFIX(exp)(const float *x, float *out, ptrdiff_t n) {
    ptrdiff_t i = 0;
    for (; i + W <= n; i += W) store(out + i, vexp(load(x + i)));
    if (i < n) storeTail(out + i, vexp(loadTail(x + i, n - i, 0)), n - i);
}

/// The register tile both attention products use: for r < R (≤ CK_MR),
/// acc0[r] | acc1[r] = Σ_k a[r·lda + k] · b[16k ..< 16k + 2W], k < depth.
/// a: [R, depth] (row stride lda), broadcast one float at a time; b: a 16-wide packed panel
/// [depth, 16] (from column 0 or, for W = 4, 8). R is a constant after inlining, so the 2R
/// accumulators live in registers (12 of the 16 vector registers at R = 6).
CK_INLINE void CK_SUFFIX(tile)(int R, const float *a, ptrdiff_t lda, const float *b, ptrdiff_t depth,
                               vf *acc0, vf *acc1) {
    for (int r = 0; r < R; r++) acc0[r] = acc1[r] = splat(0);
    for (ptrdiff_t k = 0; k < depth; k++) {
        vf b0 = load(b + k * 16), b1 = load(b + k * 16 + W);
        for (int r = 0; r < R; r++) {
            vf x = bcast(a[r * lda + k]);
            acc0[r] = acc0[r] + x * b0;
            acc1[r] = acc1[r] + x * b1;
        }
    }
}

/// One tile of S = scale · Q · Kᵀ: R query rows × 2W keys j0 ..< j0+2W.
/// q: [R, hd] (row stride ldq); kt: a panel of packed keys [hd, 16] from column j0 mod 16;
/// s: [R, ·] (row stride ls).
CK_INLINE void CK_SUFFIX(qk_tile)(int R, const float *q, ptrdiff_t ldq, const float *kt,
                                  ptrdiff_t hd, float scale, float *s, ptrdiff_t ls) {
    vf acc0[CK_MR], acc1[CK_MR];
    CK_SUFFIX(tile)(R, q, ldq, kt, hd, acc0, acc1);
    for (int r = 0; r < R; r++) {
        store(s + r * ls, acc0[r] * scale);
        store(s + r * ls + W, acc1[r] * scale);
    }
}

/// One tile of O = P · V: R rows × 2W value columns c0 ..< c0+2W, over keys 0 ..< m.
/// p: [R, m] (row stride ls); vp: a panel of packed values [m, 16] from column c0 mod 16;
/// out: [R, ·] (row stride ldo) gets the first `width` ≤ 2W columns times inv[r].
CK_INLINE void CK_SUFFIX(pv_tile)(int R, const float *p, ptrdiff_t ls, const float *vp,
                                  ptrdiff_t m, const float *inv, float *out, ptrdiff_t ldo, ptrdiff_t width) {
    vf acc0[CK_MR], acc1[CK_MR];
    CK_SUFFIX(tile)(R, p, ls, vp, m, acc0, acc1);
    for (int r = 0; r < R; r++) {
        vf o0 = acc0[r] * inv[r], o1 = acc1[r] * inv[r];
        float *dst = out + r * ldo;
        if (width == 2 * W) {
            store(dst, o0);
            store(dst + W, o1);
        } else if (width > W) {
            store(dst, o0);
            storeTail(dst + W, o1, width - W);
        } else if (width == W) {
            store(dst, o0);
        } else {
            storeTail(dst, o0, width);
        }
    }
}

/// R query rows of one head, start to end: scores, softmax, values (see ck_attention_rows).
CK_INLINE void CK_SUFFIX(attention_strip)(int R, const float *q, ptrdiff_t ldq, const float *packed, ptrdiff_t m,
                                          ptrdiff_t hd, float scale, ptrdiff_t causalFirst, float *out,
                                          ptrdiff_t ldo, float *s) {
    const ptrdiff_t ls = ck_round16(m);
    const float *kt = packed, *vp = packed + hd * ls;
    // Keys this strip needs: all m, or (causal) up to its last row's.
    ptrdiff_t keys = causalFirst < 0 ? m : causalFirst + R;
    for (ptrdiff_t j = 0; j < keys; j += 2 * W)
        CK_SUFFIX(qk_tile)(R, q, ldq, kt + (j / 16) * hd * 16 + j % 16, hd, scale, s + j, ls);
    float inv[CK_MR];
    for (int r = 0; r < R; r++) {
        ptrdiff_t n = causalFirst < 0 ? m : causalFirst + r + 1;
        float *row = s + r * ls;
        inv[r] = 1.0f / CK_SUFFIX(exp_shifted_row)(row, n);
        if (n < keys) memset(row + n, 0, (size_t)(keys - n) * sizeof(float));
    }
    for (ptrdiff_t c = 0; c < hd; c += 2 * W)
        CK_SUFFIX(pv_tile)(R, s, ls, vp + (c / 16) * m * 16 + c % 16, keys, inv, out + c, ldo,
                           hd - c < 2 * W ? hd - c : 2 * W);
}

static void CK_SUFFIX(attention_rows)(const float *q, ptrdiff_t ldq, ptrdiff_t rows, const float *packed,
                                      ptrdiff_t m, ptrdiff_t hd, float scale, ptrdiff_t causalFirst, float *out,
                                      ptrdiff_t ldo, float *scratch) {
    ptrdiff_t r = 0;
    for (; r + CK_MR <= rows; r += CK_MR)
        CK_SUFFIX(attention_strip)(CK_MR, q + r * ldq, ldq, packed, m, hd, scale,
                                   causalFirst < 0 ? -1 : causalFirst + r, out + r * ldo, ldo, scratch);
    const float *qr = q + r * ldq;
    float *o = out + r * ldo;
    ptrdiff_t cf = causalFirst < 0 ? -1 : causalFirst + r;
    switch (rows - r) {  // constant R per case: each gets its own register allocation
    case 1: CK_SUFFIX(attention_strip)(1, qr, ldq, packed, m, hd, scale, cf, o, ldo, scratch); break;
    case 2: CK_SUFFIX(attention_strip)(2, qr, ldq, packed, m, hd, scale, cf, o, ldo, scratch); break;
    case 3: CK_SUFFIX(attention_strip)(3, qr, ldq, packed, m, hd, scale, cf, o, ldo, scratch); break;
    case 4: CK_SUFFIX(attention_strip)(4, qr, ldq, packed, m, hd, scale, cf, o, ldo, scratch); break;
    case 5: CK_SUFFIX(attention_strip)(5, qr, ldq, packed, m, hd, scale, cf, o, ldo, scratch); break;
    default: break;
    }
}

#undef CK_INLINE
#undef vf
#undef vi
#undef load
#undef store
#undef splat
#undef bcast
#undef loadTail
#undef storeTail
#undef hsum
#undef hmax
#undef vexp
#undef verf
#undef activate
