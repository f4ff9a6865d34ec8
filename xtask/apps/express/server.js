// A minimal Express app for `cargo xtask verify snippets`: the generated snippet, copied in
// beside this file as observability.js, installed as its header says (before the app's own
// routes, so its middleware sees their requests), and one ordinary route with a parameter.
const express = require("express");
const { install } = require("./observability");

const app = express();
install(app);
app.get("/orders/:id", (req, res) => res.json({ id: req.params.id }));
app.listen(Number(process.env.PORT), "127.0.0.1");
