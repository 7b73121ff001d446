// TLS certificates per cname. The key arrives already encrypted: the store never sees it in clear.
import { NotFoundError } from "../errors.js";
import type { CertificateRecord, StoreOps } from "../types.js";
import { type Db, type Row, fromMs, num, str } from "./db.js";

type CertificateOps = Pick<
  StoreOps,
  "setCertificate" | "findCertificate" | "listCertificates" | "deleteCertificate"
>;

const certRow = (r: Row): CertificateRecord => ({
  cname: str(r.cname),
  app: str(r.app),
  certificate: str(r.certificate),
  keyEncrypted: str(r.key_encrypted),
  notAfter: new Date(num(r.not_after)),
  createdAt: fromMs(r.created_at),
  updatedAt: fromMs(r.updated_at),
});

export function certificateOps(db: Db): CertificateOps {
  const findCertificate = async (cname: string) => {
    const r = await db.get("SELECT * FROM certificates WHERE cname = ?", [cname]);
    return r ? certRow(r) : null;
  };
  return {
    findCertificate,
    async setCertificate(c) {
      const now = Date.now();
      // One certificate per cname: setting it again replaces it (tsuru's semantics).
      await db.run(
        `INSERT INTO certificates (cname, app, certificate, key_encrypted, not_after, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (cname) DO UPDATE SET app = excluded.app, certificate = excluded.certificate,
           key_encrypted = excluded.key_encrypted, not_after = excluded.not_after,
           updated_at = excluded.updated_at`,
        [c.cname, c.app, c.certificate, c.keyEncrypted, c.notAfter.getTime(), now, now],
      );
      return (await findCertificate(c.cname))!;
    },
    async listCertificates(filter = {}) {
      const rows =
        filter.app !== undefined
          ? await db.all("SELECT * FROM certificates WHERE app = ? ORDER BY cname", [filter.app])
          : await db.all("SELECT * FROM certificates ORDER BY cname", []);
      return rows.map(certRow);
    },
    async deleteCertificate(app, cname) {
      const n = await db.run("DELETE FROM certificates WHERE app = ? AND cname = ?", [app, cname]);
      if (n === 0) throw new NotFoundError("certificate", cname);
    },
  };
}
