//! What commands print on stdout. A reader that goes away early
//! (`prospects openapi | head`) ends the command quietly and successfully,
//! as it does for Unix tools, rather than with a panic.

use std::fmt;
use std::io::{ErrorKind, Write};

/// Prints `args` and a newline.
pub fn line(args: fmt::Arguments<'_>) {
    write(|out| writeln!(out, "{args}"));
}

/// Prints `text` as it is.
pub fn text(text: &str) {
    write(|out| out.write_all(text.as_bytes()).and_then(|()| out.flush()));
}

fn write(print: impl FnOnce(&mut std::io::StdoutLock<'_>) -> std::io::Result<()>) {
    let mut out = std::io::stdout().lock();
    match print(&mut out) {
        Ok(()) => {}
        Err(error) if error.kind() == ErrorKind::BrokenPipe => std::process::exit(0),
        Err(error) => {
            eprintln!("error: cannot write to stdout: {error}");
            std::process::exit(1);
        }
    }
}

/// `println!` through [`line`].
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}
