fn main() {
    shipshape::browser::work_offline();
    yew::Renderer::<shipshape::app::App>::new().render();
}
