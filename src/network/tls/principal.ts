/**
 * The principal of a connection on an SSL listener, as Kafka's
 * DefaultKafkaPrincipalBuilder gives it: `User:ANONYMOUS` without a client
 * certificate, else `User:` and the certificate subject's distinguished name
 * mapped by ssl.principal.mapping.rules. A name no rule maps, or a
 * certificate whose subject cannot be read, fails authentication: the
 * connection is refused with a (rate-limited) log line.
 */
import type { TcpConnection } from "../../runtime/types.ts";
import type { Logger } from "../../util/logger.ts";
import { certificateSubject } from "./distinguished_name.ts";
import { mapDistinguishedName, parseMappingRules } from "../../config/principal_mapping.ts";

export function certificatePrincipal(rulesText: string, log: Logger): (socket: TcpConnection) => string | null {
  const rules = parseMappingRules(rulesText);
  return (socket) => {
    const der = socket.peerCertificate;
    if (!der) return "User:ANONYMOUS";
    let dn: string;
    try {
      dn = certificateSubject(der);
    } catch (e) {
      log.limited(
        "info",
        "tls principal",
        `Client ${socket.remoteAddress}: cannot read its certificate's subject (${e})`,
      );
      return null;
    }
    const name = mapDistinguishedName(rules, dn);
    if (name === null) {
      log.limited(
        "info",
        "tls principal",
        `Failed authentication with ${socket.remoteAddress}: no ssl.principal.mapping.rules rule applies to ${dn}`,
      );
      return null;
    }
    return `User:${name}`;
  };
}
