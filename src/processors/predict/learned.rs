//! A learned model for `ridge_v1`: ridge regression on the 25 features, standardised, solved in closed form.
//!
//! Objective: minimise `(1/n)·Σ (y − ȳ − Σⱼ βⱼ·zⱼ)² + λ·Σⱼ βⱼ²` where `zⱼ = (xⱼ − μⱼ)/σⱼ` (population mean and
//! standard deviation of the training samples). The intercept ȳ is not penalised; λ is therefore on the scale
//! of a correlation matrix and independent of the sample count ([`DEFAULT_LAMBDA`]). A feature that is
//! constant in the training samples (σ = 0, e.g. a feature left at its default) gets β = 0. The normal
//! equations `(ZᵀZ/n + λI)·β = Zᵀ(y − ȳ)/n` are solved by Cholesky decomposition.
//!
//! **Contract (no look-ahead):** the caller trains the model used for date D only on player-games dated
//! strictly before D. [`train_before`] enforces it by filtering dated samples and recording the cut-off in
//! [`Model::trained_before`]; `ridge_v1` then refuses to predict a date before that cut-off. A model built
//! with [`train`] carries no cut-off and the caller answers for it.
//!
//! Invariants: training on non-finite samples or λ is a typed error; a singular system (λ = 0 and collinear
//! features) is [`PredictError::Training`]; training is deterministic (the same samples in the same order
//! give the same model, bit for bit).

use serde::{Deserialize, Serialize};

use super::PredictError;
use crate::domain::SlateDate;

/// The ridge penalty `ridge_v1` is trained with: the minimum of the walk-forward RMSE on 2024-25 (flat over
/// 1e-4…1e-2; see `docs/decisions.md`). λ = 0 is singular early in a season, when L10 = season average.
pub const DEFAULT_LAMBDA: f64 = 0.003;

/// A trained ridge model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub lambda: f64,
    pub n_samples: usize,
    /// Feature means of the training samples.
    pub means: [f64; 25],
    /// Feature standard deviations; 0 for a constant feature (its coefficient is 0).
    pub scales: [f64; 25],
    /// Coefficients on the standardised features.
    pub coefficients: [f64; 25],
    /// The mean target.
    pub intercept: f64,
    /// Every training sample was dated strictly before this date, when known.
    pub trained_before: Option<SlateDate>,
}

impl Model {
    /// The unclamped prediction for a feature vector.
    pub fn predict_points(&self, x: &[f64; 25]) -> f64 {
        self.intercept
            + (0..25)
                .filter(|&j| self.scales[j] > 0.0)
                .map(|j| self.coefficients[j] * (x[j] - self.means[j]) / self.scales[j])
                .sum::<f64>()
    }

    /// Coefficients on the raw (unstandardised) features.
    pub fn raw_coefficients(&self) -> [f64; 25] {
        std::array::from_fn(|j| if self.scales[j] > 0.0 { self.coefficients[j] / self.scales[j] } else { 0.0 })
    }

    /// Intercept on the raw features: `ȳ − Σ βⱼ·μⱼ/σⱼ`.
    pub fn raw_intercept(&self) -> f64 {
        let raw = self.raw_coefficients();
        self.intercept - (0..25).map(|j| raw[j] * self.means[j]).sum::<f64>()
    }

    /// Whether every parameter is finite (a deserialised model may not be).
    pub fn is_finite(&self) -> bool {
        self.intercept.is_finite()
            && self.means.iter().chain(&self.scales).chain(&self.coefficients).all(|v| v.is_finite())
    }
}

/// Train on `(features, points)` samples with penalty `lambda` (≥ 0). The caller guarantees every sample is
/// dated before any date the model will predict (see the module docs); prefer [`train_before`].
#[allow(clippy::needless_range_loop)] // index-based linear algebra reads clearer
pub fn train(samples: &[([f64; 25], f64)], lambda: f64) -> Result<Model, PredictError> {
    if !lambda.is_finite() || lambda < 0.0 {
        return Err(PredictError::InvalidInput(format!("ridge lambda {lambda}")));
    }
    if samples.is_empty() {
        return Err(PredictError::Training("no samples".into()));
    }
    if let Some(i) = samples.iter().position(|(x, y)| !y.is_finite() || x.iter().any(|v| !v.is_finite())) {
        return Err(PredictError::InvalidInput(format!("training sample {i} is not finite")));
    }
    let n = samples.len() as f64;
    let mut means = [0.0; 25];
    let mut y_mean = 0.0;
    for (x, y) in samples {
        for j in 0..25 {
            means[j] += x[j] / n;
        }
        y_mean += y / n;
    }
    let mut scales = [0.0; 25];
    for (x, _) in samples {
        for j in 0..25 {
            scales[j] += (x[j] - means[j]).powi(2) / n;
        }
    }
    for (j, s) in scales.iter_mut().enumerate() {
        *s = s.sqrt();
        // Constant up to rounding: treat as constant.
        if *s <= 1e-9 * means[j].abs().max(1.0) {
            *s = 0.0;
        }
    }
    let mut a = [[0.0; 25]; 25];
    let mut b = [0.0; 25];
    let mut z = [0.0; 25];
    for (x, y) in samples {
        for j in 0..25 {
            z[j] = if scales[j] > 0.0 { (x[j] - means[j]) / scales[j] } else { 0.0 };
        }
        let r = y - y_mean;
        for j in 0..25 {
            if z[j] == 0.0 {
                continue;
            }
            b[j] += z[j] * r / n;
            for k in j..25 {
                a[j][k] += z[j] * z[k] / n;
            }
        }
    }
    for j in 0..25 {
        for k in 0..j {
            a[j][k] = a[k][j];
        }
        // A constant feature's row is the identity (β = 0); the others get the penalty.
        a[j][j] = if scales[j] > 0.0 { a[j][j] + lambda } else { 1.0 };
    }
    let coefficients = cholesky_solve(a, b)?;
    Ok(Model { lambda, n_samples: samples.len(), means, scales, coefficients, intercept: y_mean, trained_before: None })
}

/// Train on the dated samples strictly before `date` and record the cut-off, so that `ridge_v1` refuses to
/// use the model for an earlier date.
pub fn train_before(
    samples: &[(SlateDate, [f64; 25], f64)],
    lambda: f64,
    date: SlateDate,
) -> Result<Model, PredictError> {
    let before: Vec<([f64; 25], f64)> = samples.iter().filter(|s| s.0 < date).map(|s| (s.1, s.2)).collect();
    let mut m = train(&before, lambda)?;
    m.trained_before = Some(date);
    Ok(m)
}

/// Solve `a·x = b` for a symmetric positive-definite `a`.
#[allow(clippy::needless_range_loop)]
fn cholesky_solve(a: [[f64; 25]; 25], b: [f64; 25]) -> Result<[f64; 25], PredictError> {
    let mut l = [[0.0; 25]; 25];
    for i in 0..25 {
        for j in 0..=i {
            let s: f64 = a[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            if i == j {
                if s.is_nan() || s <= 1e-12 {
                    return Err(PredictError::Training(format!("singular system at feature {i}")));
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    let mut y = [0.0; 25];
    for i in 0..25 {
        y[i] = (b[i] - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
    }
    let mut x = [0.0; 25];
    for i in (0..25).rev() {
        x[i] = (y[i] - (i + 1..25).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(PredictError::Training("non-finite solution".into()));
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    fn synthetic(n: usize, noise: f64, seed: u64) -> Vec<([f64; 25], f64)> {
        let mut rng = StdRng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let mut x = [0.0; 25];
                for (j, v) in x.iter_mut().enumerate() {
                    *v = if j == 17 { 0.0 } else { rng.gen_range(0.0..10.0) * (j as f64 + 1.0) };
                }
                let y = 3.0 + 2.0 * x[0] - 1.5 * x[3] + 0.25 * x[10] + noise * rng.gen_range(-1.0..1.0);
                (x, y)
            })
            .collect()
    }

    #[test]
    fn recovers_known_coefficients() {
        let m = train(&synthetic(2_000, 0.0, 7), 1e-9).unwrap();
        let c = m.raw_coefficients();
        assert!((c[0] - 2.0).abs() < 1e-6, "{}", c[0]);
        assert!((c[3] + 1.5).abs() < 1e-6, "{}", c[3]);
        assert!((c[10] - 0.25).abs() < 1e-6, "{}", c[10]);
        assert!((m.raw_intercept() - 3.0).abs() < 1e-4, "{}", m.raw_intercept());
        assert_eq!(c[17], 0.0, "a constant feature gets 0");
        for (j, v) in c.iter().enumerate() {
            if ![0, 3, 10].contains(&j) {
                assert!(v.abs() < 1e-6, "feature {j}: {v}");
            }
        }
        let mut x = [0.0; 25];
        x[0] = 10.0;
        x[3] = 4.0;
        assert!((m.predict_points(&x) - (3.0 + 20.0 - 6.0)).abs() < 1e-4);
    }

    #[test]
    fn noisy_data_and_shrinkage() {
        let data = synthetic(5_000, 2.0, 11);
        let m = train(&data, DEFAULT_LAMBDA).unwrap();
        assert!((m.raw_coefficients()[0] - 2.0).abs() < 0.02);
        let heavy = train(&data, 100.0).unwrap();
        let norm = |m: &Model| m.coefficients.iter().map(|c| c * c).sum::<f64>();
        assert!(norm(&heavy) < norm(&m) / 100.0, "a large λ shrinks the coefficients");
        assert_eq!(heavy.intercept, m.intercept, "the intercept is not penalised");
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        assert!(matches!(train(&[], 1.0), Err(PredictError::Training(_))));
        let mut data = synthetic(10, 0.0, 1);
        assert!(matches!(train(&data, f64::NAN), Err(PredictError::InvalidInput(_))));
        assert!(matches!(train(&data, -1.0), Err(PredictError::InvalidInput(_))));
        data[3].0[5] = f64::NAN;
        assert!(matches!(train(&data, 1.0), Err(PredictError::InvalidInput(_))));
        // λ = 0 with two identical columns is singular.
        let dup: Vec<_> = synthetic(50, 0.0, 2)
            .into_iter()
            .map(|(mut x, y)| {
                x[1] = x[0];
                (x, y)
            })
            .collect();
        assert!(matches!(train(&dup, 0.0), Err(PredictError::Training(_))));
        assert!(train(&dup, 0.1).is_ok());
    }

    #[test]
    fn train_before_filters_and_records_the_cut_off() {
        let d = |day: u32| SlateDate::from_ymd(2025, 1, day).unwrap();
        let mut x = [0.0; 25];
        x[0] = 1.0;
        let samples = vec![(d(1), [0.0; 25], 0.0), (d(2), x, 2.0), (d(3), x, 100.0)];
        let m = train_before(&samples, 0.0, d(3)).unwrap();
        assert_eq!(m.n_samples, 2);
        assert_eq!(m.trained_before, Some(d(3)));
        assert!((m.predict_points(&x) - 2.0).abs() < 1e-9);
    }
}
