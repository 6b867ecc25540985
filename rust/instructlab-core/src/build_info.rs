//! Facts about this build of the core, captured by `build.rs`.

/// How the core crate was compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInfo {
    /// The crate version (the same as the Python package's).
    pub version: &'static str,
    /// `rustc --version` of the compiler that built it.
    pub rustc: &'static str,
    /// The cargo profile (`debug` for development builds, `release` for wheels).
    pub profile: &'static str,
    /// The target triple.
    pub target: &'static str,
    /// The optimisation level.
    pub opt_level: &'static str,
    /// Whether debug assertions are compiled in.
    pub debug_assertions: bool,
}

/// Returns the facts recorded when this crate was compiled.
pub fn build_info() -> BuildInfo {
    BuildInfo {
        version: env!("CARGO_PKG_VERSION"),
        rustc: env!("ILAB_RUSTC_VERSION"),
        profile: env!("ILAB_BUILD_PROFILE"),
        target: env!("ILAB_BUILD_TARGET"),
        opt_level: env!("ILAB_BUILD_OPT_LEVEL"),
        debug_assertions: cfg!(debug_assertions),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_crate_version_and_a_compiler() {
        let info = build_info();
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert!(info.rustc.starts_with("rustc "), "{}", info.rustc);
        assert!(!info.target.is_empty());
    }
}
