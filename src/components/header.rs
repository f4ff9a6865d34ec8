//! The page header: product name and what it does, in one line.

use yew::prelude::*;

#[component]
pub fn Header() -> Html {
    html! {
        <header class="site-header">
            <h1 class="brand">{ "Shipshape" }</h1>
            <p class="tagline">
                { "Describe your service; get the delivery setup a careful engineer would write. Nothing leaves your browser." }
            </p>
        </header>
    }
}
