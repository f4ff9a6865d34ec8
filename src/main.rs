fn main() {
    yew::Renderer::<shipshape::app::App>::new().render();
}
