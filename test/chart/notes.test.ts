/** NOTES.txt: what an operator reads after helm install. */
import * as assert from "assert";
import { base, matrix } from "./matrix";
import { credentialsOf, renderNotes } from "./render";

describe("chart: NOTES.txt", () => {
  it("prints the URL, the setup page and how to read INIT_PASSWORD, never the password", () => {
    const notes = renderNotes(base);
    assert.match(notes, /URL: +https:\/\/198\.51\.100\.10\/dify\n/);
    assert.match(notes, /First setup: +https:\/\/198\.51\.100\.10\/dify\/install\n/);
    assert.ok(notes.includes("kubectl -n dify get secret dify-credentials -o jsonpath='{.data.INIT_PASSWORD}' | base64 -d"));
    for (const s of credentialsOf(base)) assert.ok(!notes.includes(s), "a credential in NOTES");
  });

  it("keeps the original spec's check commands working", () => {
    const notes = renderNotes(base);
    for (const cmd of [
      "kubectl -n dify logs -l app=dify-web --tail=100",
      "kubectl -n dify logs -l app=dify-api --tail=100",
      "kubectl -n dify logs -l app=dify-worker --tail=100",
      "kubectl -n dify exec -it dify-postgresql-0 -- psql -U dify -d dify",
      "kubectl -n dify exec -it dify-redis-0 -- redis-cli ping",
      "kubectl -n dify port-forward svc/dify-weaviate 8080:8080",
      "curl http://localhost:8080/v1/.well-known/ready",
      "helm test dify -n dify",
    ]) assert.ok(notes.includes(cmd), cmd);
  });

  it("maps the spec's SERVER_URL / CONSOLE_URL to the variables Dify reads", () => {
    assert.match(renderNotes(base), /SERVER_URL \/ CONSOLE_URL are not Dify variables.*CONSOLE_API_URL/s);
  });

  it("root mode, an existing Secret and external data stores", () => {
    const root = renderNotes(matrix["root mode"].values);
    assert.match(root, /URL: +https:\/\/198\.51\.100\.10\n/);
    const existing = renderNotes(matrix["existing Secret"].values);
    assert.ok(existing.includes("get secret my-dify-credentials"));
    const external = renderNotes(matrix["external Postgres and Redis"].values);
    assert.ok(!external.includes("psql") && !external.includes("redis-cli"));
  });

  it("warns when the SSRF proxy is disabled, and only then", () => {
    assert.ok(!renderNotes(base).includes("ssrfProxy.enabled=false"));
    const off = renderNotes(matrix["SSRF proxy off"].values);
    assert.match(off, /Warning: ssrfProxy\.enabled=false\. Code in the sandbox and the HTTP requests the api makes/);
    assert.match(off, /can reach cluster\s+Services, nodes and cloud metadata addresses/);
  });
});
