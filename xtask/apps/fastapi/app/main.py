"""A minimal FastAPI app for `cargo xtask verify snippets`: the generated snippet, copied in
beside this file as app/observability.py, installed as its header says, and one ordinary
route with a path parameter."""
from fastapi import FastAPI

from app.observability import install

app = FastAPI()
install(app)


@app.get("/orders/{id}")
def order(id: int) -> dict:
    return {"id": id}
