/**
 * ssl.principal.mapping.rules as Kafka's SslPrincipalMapper reads and applies
 * them (KIP-371): the first rule whose pattern matches the whole name wins,
 * DEFAULT keeps the name, L/U change case, and malformed rules are refused.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mapDistinguishedName, MappingRuleError, parseMappingRules } from "../../src/config/principal_mapping.ts";

const map = (rules: string, dn: string) => mapDistinguishedName(parseMappingRules(rules), dn);

describe("ssl.principal.mapping.rules", () => {
  const rules = "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/, " +
    "RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L,\n" +
    "RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/U, DEFAULT";

  test("the first rule that matches the whole name gives it", () => {
    assert.equal(map(rules, "CN=Duke,OU=ServiceUsers,O=Org,C=US"), "Duke");
    assert.equal(map(rules, "CN=Duke,OU=SME,O=mycp,L=Fulton,ST=MD,C=US"), "duke@sme");
    assert.equal(map(rules, "cn=duke,ou=Other"), "DUKE");
  });

  test("DEFAULT gives the distinguished name unchanged", () => {
    assert.equal(map(rules, "OU=JavaSoft,O=Sun Microsystems,C=US"), "OU=JavaSoft,O=Sun Microsystems,C=US");
    assert.equal(map("DEFAULT", "CN=alice,OU=Clients,O=Example"), "CN=alice,OU=Clients,O=Example");
  });

  test("a pattern must match the whole name, not a part of it", () => {
    assert.equal(map("RULE:CN=([a-z]+)/$1/", "CN=alice,OU=Clients"), null);
    assert.equal(map("RULE:CN=([a-z]+).*/$1/", "CN=alice,OU=Clients"), "alice");
  });

  test("no applying rule gives null (the connection fails authentication)", () => {
    assert.equal(map("RULE:^CN=(.*),OU=Admins$/$1/", "CN=alice,OU=Clients"), null);
  });

  test("Java's replacement syntax: \\$ is a dollar, \\/ a slash, ${name} a named group", () => {
    assert.equal(map("RULE:^CN=([a-z]+)$/\\$$1\\/x/", "CN=alice"), "$alice/x");
    assert.equal(map("RULE:^CN=(?<user>[a-z]+)$/${user}!/U", "CN=alice"), "ALICE!");
  });

  test("malformed rules are refused", () => {
    for (
      const bad of ["", "DEFAUL", "DEFAULT/L", "RULE:", "RULE:^CN=(.*)$/$1", "RULE:^CN=(.*$/$1/", "garbage, DEFAULT"]
    ) {
      assert.throws(() => parseMappingRules(bad), MappingRuleError, `"${bad}" was accepted`);
    }
  });
});
