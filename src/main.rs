#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    shipshape::browser::work_offline();
    yew::Renderer::<shipshape::app::App>::with_props(shipshape::app::AppProps { persist: true })
        .render();
}
