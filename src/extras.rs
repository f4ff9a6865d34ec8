//! `shipshape-extras`: the page's second WebAssembly module. Its answers are `shipshape::lazy`;
//! this binary only registers them, so that they are not in the first module.

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    shipshape::lazy::register();
}
