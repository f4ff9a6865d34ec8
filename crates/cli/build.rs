//! Writes the man page, `$OUT_DIR/shipshape.1`, from the command line's clap definitions;
//! `shipshape man` prints it.

#[allow(dead_code)]
mod cli {
    include!("src/cli.rs");
}

fn main() -> std::io::Result<()> {
    use clap::CommandFactory;
    println!("cargo::rerun-if-changed=src/cli.rs");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut page = Vec::new();
    clap_mangen::Man::new(cli::Cli::command()).render(&mut page)?;
    std::fs::write(out.join("shipshape.1"), page)
}
