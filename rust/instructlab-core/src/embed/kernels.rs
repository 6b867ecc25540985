//! The numeric kernels of the encoder: one safe matrix product over `matrixmultiply`, and the
//! element-wise steps (layer norm, GELU, softmax) written as plain loops that LLVM vectorises
//! (for the baseline and, chosen at run time, for AVX2).
//!
//! `exp` and `erf` are polynomial approximations instead of `f32::exp` and `libm::erff`: those
//! are scalar calls that LLVM cannot vectorise, and GELU plus softmax call them about 1.6 million
//! times per 150-token sequence of a 6-layer model, which took as long as the matrix products.
//! Both approximations are within a few float ulps (tests below check them against `f64`). They
//! use plain multiply-add, never `mul_add`/`round`, which are library calls on the x86-64
//! baseline (no FMA, no SSE4.1) and took a third of the encoder's time when measured.

/// A matrix view: the slice it lives in, its offset, row and column strides (in elements).
#[derive(Clone, Copy, Debug)]
pub struct View<'a> {
    /// The storage.
    pub data: &'a [f32],
    /// Where element (0, 0) is.
    pub offset: usize,
    /// Step between rows.
    pub row_stride: usize,
    /// Step between columns.
    pub col_stride: usize,
}

impl<'a> View<'a> {
    /// A row-major `rows × cols` matrix starting at `offset`, rows `row_stride` apart.
    pub fn rows(data: &'a [f32], offset: usize, row_stride: usize) -> Self {
        Self {
            data,
            offset,
            row_stride,
            col_stride: 1,
        }
    }

    /// The transpose of a row-major matrix whose rows are `row_stride` apart (a PyTorch
    /// `Linear` weight `[out, in]` read as `[in, out]`).
    pub fn transposed(data: &'a [f32], offset: usize, row_stride: usize) -> Self {
        Self {
            data,
            offset,
            row_stride: 1,
            col_stride: row_stride,
        }
    }

    /// Whether an `r × c` matrix fits in the storage.
    fn fits(&self, r: usize, c: usize) -> bool {
        if r == 0 || c == 0 {
            return true;
        }
        let last = self.offset + (r - 1) * self.row_stride + (c - 1) * self.col_stride;
        last < self.data.len()
    }
}

/// `c = a · b (+ c when accumulate)`, with `a` `m × k`, `b` `k × n`, `c` row-major `m × n`
/// rows `c_stride` apart starting at `c_offset`.
///
/// # Panics
/// When a matrix does not fit in its slice: a caller bug, never a data problem.
#[allow(clippy::many_single_char_names, clippy::too_many_arguments)]
pub fn gemm(
    m: usize,
    k: usize,
    n: usize,
    a: View<'_>,
    b: View<'_>,
    c: &mut [f32],
    c_offset: usize,
    c_stride: usize,
    accumulate: bool,
) {
    assert!(a.fits(m, k) && b.fits(k, n), "gemm: an input does not fit");
    assert!(
        m == 0 || n == 0 || c_offset + (m - 1) * c_stride + n <= c.len(),
        "gemm: the output does not fit"
    );
    if m == 0 || n == 0 {
        return;
    }
    let to_isize = |v: usize| isize::try_from(v).expect("stride fits isize");
    #[allow(unsafe_code)]
    // SAFETY: every element `sgemm` reads or writes lies inside the slices: the asserts above
    // check the last index of each matrix against its slice length, and the output does not
    // alias the inputs (it is a distinct `&mut` borrow).
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.data.as_ptr().add(a.offset),
            to_isize(a.row_stride),
            to_isize(a.col_stride),
            b.data.as_ptr().add(b.offset),
            to_isize(b.row_stride),
            to_isize(b.col_stride),
            if accumulate { 1.0 } else { 0.0 },
            c.as_mut_ptr().add(c_offset),
            to_isize(c_stride),
            1,
        );
    }
}

/// Whether this CPU runs AVX2 and FMA code (asked once). The wheel is built for the x86-64
/// baseline (SSE2: 4 floats a vector), so the element-wise kernels also exist compiled for
/// AVX2 (8 floats a vector) and run that way where the CPU has it. The arithmetic is the same
/// in both (no contraction into FMA: Rust never fuses a plain `a * b + c`), so are the results.
#[cfg(target_arch = "x86_64")]
fn wide() -> bool {
    static WIDE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *WIDE.get_or_init(|| is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"))
}

/// Defines `pub fn $name` that runs `$body` (an `#[inline(always)]` function of the same
/// arguments) compiled for AVX2 where the CPU has it, else for the baseline.
macro_rules! dispatched {
    ($(#[$doc:meta])* $name:ident, $wide:ident, $body:ident, ($($arg:ident: $ty:ty),*)) => {
        $(#[$doc])*
        pub fn $name($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            if wide() {
                #[allow(unsafe_code)]
                // SAFETY: `wide()` checked that this CPU has AVX2 and FMA.
                unsafe {
                    $wide($($arg),*);
                }
                return;
            }
            $body($($arg),*);
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        #[allow(unsafe_code)]
        unsafe fn $wide($($arg: $ty),*) {
            $body($($arg),*);
        }
    };
}

dispatched!(
    /// Adds `bias` to every row of the row-major `rows` (each `bias.len()` long).
    add_bias,
    add_bias_wide,
    add_bias_body,
    (rows: &mut [f32], bias: &[f32])
);

#[inline(always)]
#[allow(clippy::inline_always)] // must inline into the AVX2 copy to be compiled for it
fn add_bias_body(rows: &mut [f32], bias: &[f32]) {
    for row in rows.chunks_exact_mut(bias.len()) {
        for (x, b) in row.iter_mut().zip(bias) {
            *x += b;
        }
    }
}

dispatched!(
    /// In-place layer norm of every row: `(x - mean) / sqrt(var + eps) * gamma + beta`.
    layer_norm,
    layer_norm_wide,
    layer_norm_body,
    (rows: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32)
);

#[inline(always)]
#[allow(clippy::inline_always)] // must inline into the AVX2 copy to be compiled for it
fn layer_norm_body(rows: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let width = gamma.len();
    #[allow(clippy::cast_precision_loss)]
    let inv_n = 1.0 / width as f32;
    for row in rows.chunks_exact_mut(width) {
        let mean = row.iter().sum::<f32>() * inv_n;
        let var = row.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() * inv_n;
        let scale = 1.0 / (var + eps).sqrt();
        for ((x, g), b) in row.iter_mut().zip(gamma).zip(beta) {
            *x = (*x - mean) * scale * g + b;
        }
    }
}

/// `erf(x)` as a rational function of `x` on [-4, 4] (outside, `erf` is ±1 in `f32`).
#[inline(always)]
#[allow(
    clippy::excessive_precision,
    clippy::unreadable_literal,
    clippy::inline_always
)]
pub fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2 * -2.72614225801306e-10 + 2.77068142495902e-08;
    p = x2 * p - 2.10102402082508e-06;
    p = x2 * p - 5.69250639462346e-05;
    p = x2 * p - 7.34990630326855e-04;
    p = x2 * p - 2.95459980854025e-03;
    p = x2 * p - 1.60960333262415e-02;
    let mut q = x2 * -1.45660718464996e-05 - 2.13374055278905e-04;
    q = x2 * q - 1.68282697438203e-03;
    q = x2 * q - 7.37332916720468e-03;
    q = x2 * q - 1.42647390514189e-02;
    x * p / q
}

/// `e^x` by range reduction to `[-ln2/2, ln2/2]`, a degree-6 polynomial and an exponent set
/// through the bits; inputs below -87 give 0 (softmax only feeds it values <= 0).
#[inline(always)]
#[allow(
    clippy::inline_always,
    clippy::excessive_precision,
    clippy::unreadable_literal,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]
pub fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_145_751_953_125;
    const LN2_LO: f32 = 1.428_606_765_330_187e-6;
    const ROUNDER: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    // Round to nearest by the float trick (1.5 * 2^23): `round` is a library call where the
    // target has no SSE4.1, and so are `mul_add` without FMA; plain arithmetic vectorises.
    let n = (x * LOG2E + ROUNDER) - ROUNDER;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let mut p = r * (1.0 / 720.0) + 1.0 / 120.0;
    p = r * p + 1.0 / 24.0;
    p = r * p + 1.0 / 6.0;
    p = r * p + 0.5;
    p = r * p + 1.0;
    p = r * p + 1.0;
    // n lies in [-126, 127] after the clamp, so the biased exponent is a valid normal one.
    let scale = f32::from_bits(((n as i32 + 127) as u32) << 23);
    p * scale
}

dispatched!(
    /// Exact (erf) GELU in place, as BERT's `hidden_act: gelu` computes it.
    gelu,
    gelu_wide,
    gelu_body,
    (values: &mut [f32])
);

#[inline(always)]
#[allow(clippy::inline_always)] // must inline into the AVX2 copy to be compiled for it
fn gelu_body(values: &mut [f32]) {
    const FRAC_1_SQRT_2: f32 = std::f32::consts::FRAC_1_SQRT_2;
    for v in values {
        *v = 0.5 * *v * (1.0 + erf(*v * FRAC_1_SQRT_2));
    }
}

dispatched!(
    /// Softmax of every row (each `width` long) in place, after scaling by `scale`.
    softmax_rows,
    softmax_rows_wide,
    softmax_rows_body,
    (rows: &mut [f32], width: usize, scale: f32)
);

#[inline(always)]
#[allow(clippy::inline_always)] // must inline into the AVX2 copy to be compiled for it
fn softmax_rows_body(rows: &mut [f32], width: usize, scale: f32) {
    for row in rows.chunks_exact_mut(width) {
        let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        // Two loops: the exponentials vectorise on their own; the sum (a float reduction,
        // which LLVM keeps in order) would hold them back in one loop. Same order, same sum.
        for v in row.iter_mut() {
            *v = exp((*v - max) * scale);
        }
        let sum: f32 = row.iter().sum();
        let inv = 1.0 / sum;
        for v in row.iter_mut() {
            *v *= inv;
        }
    }
}

/// Scales `v` to unit length (a zero vector stays zero).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in v {
            *x /= norm;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn erf64(x: f64) -> f64 {
        // Numerical integration is plenty to check an f32 approximation.
        let steps = 20_000;
        let h = x / f64::from(steps);
        let f = |t: f64| (-t * t).exp();
        let mut sum = 0.5 * (f(0.0) + f(x));
        for i in 1..steps {
            sum += f(f64::from(i) * h);
        }
        sum * h * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn erf_matches_the_integral() {
        for i in -500..=500 {
            let x = f64::from(i) / 100.0;
            #[allow(clippy::cast_possible_truncation)]
            let got = f64::from(erf(x as f32));
            assert!((got - erf64(x)).abs() < 2e-6, "erf({x}) = {got}");
        }
    }

    #[test]
    fn exp_matches_std() {
        for i in -8700..=8800 {
            #[allow(clippy::cast_precision_loss)]
            let x = i as f32 / 100.0;
            let (got, want) = (f64::from(exp(x)), f64::from(x).exp());
            assert!(
                ((got - want) / want).abs() < 1e-6,
                "exp({x}) = {got}, want {want}"
            );
        }
        assert!(exp(-200.0) < 1e-37);
    }

    #[test]
    fn gemm_multiplies_with_strides() {
        // a = [[1, 2], [3, 4]]; b is given as the rows of its transpose: bᵀ = [[5, 6], [7, 8]].
        let a = [1.0, 2.0, 3.0, 4.0];
        let bt = [5.0, 6.0, 7.0, 8.0];
        let mut c = [0.0; 4];
        gemm(
            2,
            2,
            2,
            View::rows(&a, 0, 2),
            View::transposed(&bt, 0, 2),
            &mut c,
            0,
            2,
            false,
        );
        for (got, want) in c.iter().zip([17.0, 23.0, 39.0, 53.0]) {
            assert!((got - want).abs() < 1e-6, "{c:?}");
        }
    }

    #[test]
    fn the_avx2_copies_give_the_baseline_bits() {
        // Values of a size and spread GELU and softmax meet in the encoder, 37 wide so the
        // vector loops have a remainder.
        #[allow(clippy::cast_precision_loss)]
        let values: Vec<f32> = (0..37 * 11)
            .map(|i| ((i * 7919 % 1000) as f32 - 500.0) / 61.0)
            .collect();
        let (mut a, mut b) = (values.clone(), values.clone());
        gelu(&mut a);
        gelu_body(&mut b);
        assert_eq!(a, b);
        let (mut a, mut b) = (values.clone(), values.clone());
        softmax_rows(&mut a, 37, 0.125);
        softmax_rows_body(&mut b, 37, 0.125);
        assert_eq!(a, b);
        let gamma: Vec<f32> = (0..37u8).map(|i| 1.0 + f32::from(i) / 37.0).collect();
        let beta: Vec<f32> = (0..37u8).map(|i| f32::from(i) / 100.0).collect();
        let (mut a, mut b) = (values.clone(), values);
        layer_norm(&mut a, &gamma, &beta, 1e-12);
        layer_norm_body(&mut b, &gamma, &beta, 1e-12);
        assert_eq!(a, b);
        add_bias(&mut a, &beta);
        add_bias_body(&mut b, &beta);
        assert_eq!(a, b);
    }

    #[test]
    fn softmax_rows_sum_to_one() {
        let mut rows = [1.0, 2.0, 3.0, 0.0, 0.0, 0.0];
        softmax_rows(&mut rows, 3, 1.0);
        assert!((rows[..3].iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!((rows[3] - 1.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn layer_norm_centres_and_scales() {
        let mut row = [1.0, 2.0, 3.0, 4.0];
        layer_norm(&mut row, &[1.0; 4], &[0.0; 4], 1e-12);
        assert!(row.iter().sum::<f32>().abs() < 1e-5);
        let var = row.iter().map(|x| x * x).sum::<f32>() / 4.0;
        assert!((var - 1.0).abs() < 1e-4);
    }
}
