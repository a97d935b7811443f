//! The JavaScript facade: socket.io-client's API over the driver, argument juggling only.
//!
//! One module per JS class (`io`, `Manager`, `Socket`), options read in one place, errors made in one
//! place. `index.js` (shipped next to the wasm-bindgen glue) initialises the module and adds the
//! variadic and chainable method forms.

mod errors;
mod globals;
mod io;
mod manager;
mod options;
mod socket;
mod target;

pub use io::lookup;
pub use manager::Manager;
pub use socket::Socket;
