//! Medians, spread and the noise rule of `ntemu bench --compare`.

/// Summary of one cell's repeated samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// The median (the mean of the two middle samples for an even count).
    pub median: f64,
    /// The smallest sample.
    pub min: f64,
    /// The largest sample.
    pub max: f64,
    /// The first quartile (linear interpolation between closest ranks).
    pub q1: f64,
    /// The third quartile.
    pub q3: f64,
}

/// The value at fraction `p` (0..=1) of the sorted samples, interpolated linearly.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let pos = p * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Median, extremes and quartiles of `samples`; None for no samples.
pub fn summarize(samples: &[f64]) -> Option<Summary> {
    if samples.is_empty() || samples.iter().any(|s| !s.is_finite()) {
        return None;
    }
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    Some(Summary {
        median: quantile(&v, 0.5),
        min: v[0],
        max: v[v.len() - 1],
        q1: quantile(&v, 0.25),
        q3: quantile(&v, 0.75),
    })
}

/// Changes smaller than this fraction are noise whatever the spread.
pub const NOISE_FLOOR: f64 = 0.03;

/// How a cell moved between two reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Change {
    /// new median / old median - 1 (negative: faster).
    pub relative: f64,
    /// True when the change is inside the runs' spread (see [`is_noise`]).
    pub noise: bool,
}

/// The noise rule: a change is noise when the old and new runs' ranges [min, max] overlap
/// (the new median could have come from the old runs' spread, or the other way round), or
/// when the medians differ by less than [`NOISE_FLOOR`] (3 %).
pub fn is_noise(old: &Summary, new: &Summary) -> bool {
    let relative = (new.median / old.median - 1.0).abs();
    relative < NOISE_FLOOR || (new.min <= old.max && old.min <= new.max)
}

/// The change from `old` to `new`.
pub fn change(old: &Summary, new: &Summary) -> Change {
    Change {
        relative: new.median / old.median - 1.0,
        noise: is_noise(old, new),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(summarize(&[3.0, 1.0, 2.0]).unwrap().median, 2.0);
        assert_eq!(summarize(&[4.0, 1.0, 2.0, 3.0]).unwrap().median, 2.5);
        assert_eq!(summarize(&[7.0]).unwrap().median, 7.0);
        assert!(summarize(&[]).is_none());
        assert!(summarize(&[1.0, f64::NAN]).is_none());
    }

    #[test]
    fn spread_is_extremes_and_quartiles() {
        let s = summarize(&[5.0, 1.0, 4.0, 2.0, 3.0]).unwrap();
        assert_eq!((s.min, s.max), (1.0, 5.0));
        assert_eq!((s.q1, s.q3), (2.0, 4.0));
        let s = summarize(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!((s.q1, s.q3), (1.75, 3.25));
    }

    #[test]
    fn identical_runs_are_noise() {
        let s = summarize(&[10.0, 11.0, 12.0]).unwrap();
        let c = change(&s, &s);
        assert_eq!(c.relative, 0.0);
        assert!(c.noise);
        // A single run: no spread, but no change either.
        let one = summarize(&[10.0]).unwrap();
        assert!(change(&one, &one).noise);
    }

    #[test]
    fn overlapping_ranges_are_noise_disjoint_ones_are_not() {
        let old = summarize(&[100.0, 104.0, 110.0]).unwrap();
        let overlapping = summarize(&[108.0, 115.0, 120.0]).unwrap();
        assert!(change(&old, &overlapping).noise);
        let slower = summarize(&[130.0, 131.0, 135.0]).unwrap();
        let c = change(&old, &slower);
        assert!(!c.noise);
        assert!((c.relative - (131.0 / 104.0 - 1.0)).abs() < 1e-12);
        let faster = summarize(&[50.0, 52.0, 53.0]).unwrap();
        let c = change(&old, &faster);
        assert!(!c.noise && c.relative < 0.0);
    }

    #[test]
    fn small_changes_are_noise_even_without_spread() {
        let old = summarize(&[100.0]).unwrap();
        assert!(change(&old, &summarize(&[102.9]).unwrap()).noise);
        assert!(!change(&old, &summarize(&[103.1]).unwrap()).noise);
    }
}
