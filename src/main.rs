fn main() {
    shipshape::browser::work_offline();
    yew::Renderer::<shipshape::app::App>::with_props(shipshape::app::AppProps { persist: true })
        .render();
}
