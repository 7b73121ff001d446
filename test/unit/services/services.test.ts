// Pure pieces of the services work: secrets never survive into error sentences or shown URLs,
// the CLI sends tsuru's forms for a manifest and an instance-add, and names are validated.
import assert from "node:assert/strict";
import { test } from "node:test";
import { safeUrl, scrub } from "../../../src/services/errors.js";
import { manifestForm } from "../../../src/cli/commands/service.js";
import { instanceAddForm } from "../../../src/cli/commands/service-instance.js";
import {
  validateEndpoint,
  validateInstanceName,
  validateServiceName,
} from "../../../src/domain/services/service-resolve.js";

test("scrub blanks every known secret, flattens whitespace and clips long bodies", () => {
  assert.equal(scrub("bad password hunter22\n for user", ["hunter22"]), "bad password *** for user");
  assert.equal(scrub("x".repeat(300), []).length, 203);
  assert.equal(
    scrub("ab", ["a"]),
    "ab",
    "one- and two-letter secrets are not blanked (they would shred the text)",
  );
});

test("safeUrl drops user-info, query and fragment", () => {
  assert.equal(safeUrl("http://u:secret@127.0.0.1:9000/api?token=x#f"), "http://127.0.0.1:9000/api");
  assert.equal(safeUrl("not a url"), "(invalid URL)");
});

test("a service manifest becomes tsuru's service-create form with endpoint.production only", () => {
  const form = manifestForm(
    "id: mysql\nusername: u\npassword: p\nteam: blue\nendpoint:\n  production: http://127.0.0.1:1/\n  test: http://x\n",
  );
  assert.deepEqual(form, {
    endpoint: "http://127.0.0.1:1/",
    id: "mysql",
    password: "p",
    team: "blue",
    username: "u",
  });
  assert.throws(() => manifestForm("id: [unclosed"), /not valid YAML/);
});

test("instance-add sends parameters.k=v per --plan-param and an empty parameters= without any", () => {
  assert.deepEqual(
    instanceAddForm("db1", { plan: "small", team: "blue", tag: ["t1"], planParam: ["a=1", "b=x=y"] }),
    {
      description: "",
      name: "db1",
      owner: "blue",
      plan: "small",
      tag: ["t1"],
      "parameters.a": "1",
      "parameters.b": "x=y",
    },
  );
  assert.equal(instanceAddForm("db1", { tag: [], planParam: [] }).parameters, "");
  assert.throws(() => instanceAddForm("db1", { tag: [], planParam: ["novalue"] }), /key=value/);
});

test("service, instance and endpoint names are checked with a sentence saying the rule", () => {
  validateServiceName("mysql");
  assert.throws(() => validateServiceName("My SQL"), /lowercase letter/);
  validateInstanceName("Db_1-x");
  assert.throws(() => validateInstanceName("1db"), /start with a letter/);
  assert.throws(() => validateInstanceName("d"), /2 to 63/);
  assert.equal(validateEndpoint("http://127.0.0.1:8080//", "endpoint"), "http://127.0.0.1:8080");
  assert.throws(() => validateEndpoint("http://u:p@h", "endpoint"), /do not put credentials in the URL/);
  assert.throws(() => validateEndpoint("file:///etc", "endpoint"), /http:\/\/ or https:\/\//);
});
