//! Records how the core was built, so `ilab system info` can report it.
use std::process::Command;

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map_or_else(|| "unknown".to_owned(), |v| v.trim().to_owned());
    println!("cargo:rustc-env=ILAB_RUSTC_VERSION={version}");
    for key in ["PROFILE", "TARGET", "OPT_LEVEL"] {
        let value = std::env::var(key).unwrap_or_else(|_| "unknown".to_owned());
        println!("cargo:rustc-env=ILAB_BUILD_{key}={value}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
