"""The OpenAPI document describes exactly the routes Flask serves under /api/symlink/."""

import re

PREFIX = "/api/symlink"


def flask_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule[len(PREFIX):])
        routes.update((path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"})
    return routes


def document_routes(document) -> set[tuple[str, str]]:
    return {(path, method) for path, operations in document["paths"].items() for method in operations}


def test_the_document_lists_every_route_and_method_and_no_other(app, client):
    document = client.get(f"{PREFIX}/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": PREFIX}]
    assert document_routes(document) == flask_routes(app)
    assert len(flask_routes(app)) >= 24


def test_every_operation_documents_its_path_parameters_and_a_json_body_for_changes(client):
    document = client.get(f"{PREFIX}/openapi.json").get_json()
    for path, operations in document["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method, operation in operations.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (method, path)
            if method == "post":
                assert "application/json" in operation["requestBody"]["content"], path
            answers = operation["responses"]
            assert "401" in answers and {"200", "201", "202"} & set(answers), (method, path)


def test_the_served_document_loads_as_openapi_with_every_operation(app):
    import schemathesis

    def from_this_machine(environ, start_response):
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")
        return app(environ, start_response)

    schema = schemathesis.openapi.from_wsgi(f"{PREFIX}/openapi.json", from_this_machine)
    operations = [result.ok() for result in schema.get_all_operations()]  # raises on an invalid operation
    # Schemathesis leaves out the document's own route.
    assert {(op.path, op.method.lower()) for op in operations} == flask_routes(app) - {("/openapi.json", "get")}
