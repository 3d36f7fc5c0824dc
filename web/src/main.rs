//! The browser entry point: Trunk builds this binary into the page's WebAssembly.

fn main() {
    mailpath_web::start();
}
