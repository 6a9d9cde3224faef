import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testFoundation, TEST_ADMIN, TEST_CTX } from '../../../tests/helpers/foundation.js';
import { fakePushCertificate } from '../../../tests/helpers/push-cert.js';
import { buildScepRequest, createCsr, parseCertRep, selfSignedIdentity } from '../../../tests/helpers/scep-client.js';
import { testKey } from '../../../tests/helpers/scep-fixtures.js';
import { parsePlist, type PlistDict } from '../../core/plist.js';
import { secureRandom } from '../../core/random.js';
import { verifyCms } from '../../pki/cms.js';
import { createIssuedStore } from '../ca/issued.store.js';
import { createScepService } from '../scep/scep.service.js';
import { challengePort, identityTemplatePort, issuedCertificatePort } from './scep-ports.js';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

describe('SCEP over the enrollment tables', () => {
  it('keeps the challenge usable when issuing fails, and records nothing until the whole reply is ready', async () => {
    const { db, clock, services } = testFoundation({ start: new Date().toISOString() });
    const pki = fakePushCertificate();
    services.push.upload({ certificatePem: pki.certPem, privateKeyPem: pki.keyPem }, TEST_ADMIN, null);
    services.ca.ensureTlsCredential({ dnsNames: ['mdm.office.test'], ipAddresses: ['127.0.0.1'] });
    const user = await services.users.create(
      { email: 'hanako@example.com', displayName: '花子', locale: 'ja' },
      TEST_CTX,
    );
    const e = services.enrollment.create({ userId: user.id, platform: 'ios' }, TEST_ADMIN, null);
    const profile = parsePlist(
      verifyCms((await services.enrollment.downloadProfile(e.profileUrl.split('/').pop() as string, IPHONE, null)).body)
        .content,
    ) as PlistDict;
    const challenge = (((profile.PayloadContent as PlistDict[])[1] as PlistDict).PayloadContent as PlistDict)
      .Challenge as string;

    // The certificate record fails once, as a full disk or a locked database would.
    const issued = issuedCertificatePort(createIssuedStore(db), clock);
    let failNext = true;
    const certificates = {
      ...issued,
      record: (rec: Parameters<typeof issued.record>[0]) => {
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        issued.record(rec);
      },
    };
    const scep = createScepService({
      ca: () => services.ca.ensureOfficeCa(),
      challenges: challengePort(services.enrollment),
      templates: identityTemplatePort(services.enrollment),
      certificates,
      audit: services.audit,
      clock,
      random: secureRandom,
      transaction: (fn) => db.transaction(fn).immediate(),
    });
    const caCertPem = services.ca.caCertificate().pem;
    const request = () => {
      const csr = createCsr({ keyPem: testKey('device'), subject: [{ shortName: 'CN', value: 'iPhone' }], challenge });
      return buildScepRequest({ csr, signer: selfSignedIdentity(testKey('signer')), caCertPem });
    };
    try {
      await expect(scep.pkiOperation(request().der, {})).rejects.toThrow(/disk full/);
      expect(services.enrollment.checkChallenge(challenge)).toEqual({ ok: true, enrollmentId: e.id });
      expect(services.audit.list({ action: 'scep.' }).items.map((i) => i.action)).toEqual([]);
      expect(db.prepare('SELECT COUNT(*) AS n FROM issued_certificates').get()).toEqual({ n: 0 });

      // The device retries: it enrolls, and the challenge is then spent.
      const retry = request();
      expect(parseCertRep(await scep.pkiOperation(retry.der, {}), retry).status).toBe('SUCCESS');
      expect(
        services.audit
          .list({ action: 'scep.' })
          .items.map((i) => i.action)
          .sort(),
      ).toEqual(['scep.challenge_consumed', 'scep.issued']);
      expect(db.prepare('SELECT COUNT(*) AS n FROM issued_certificates').get()).toEqual({ n: 1 });
      // The same request again (its reply was lost): the same certificate, nothing new recorded.
      const resent = parseCertRep(await scep.pkiOperation(retry.der, {}), retry);
      const stored = (db.prepare('SELECT cert_pem FROM issued_certificates').get() as { cert_pem: string }).cert_pem;
      expect(
        resent.status === 'SUCCESS' &&
          new X509Certificate(resent.certificatePem).raw.equals(new X509Certificate(stored).raw),
      ).toBe(true);
      expect(db.prepare('SELECT COUNT(*) AS n FROM issued_certificates').get()).toEqual({ n: 1 });
      const again = request();
      const refused = parseCertRep(await scep.pkiOperation(again.der, {}), again);
      expect(refused).toMatchObject({ status: 'FAILURE', failInfo: 'badRequest' });
      expect(db.prepare('SELECT COUNT(*) AS n FROM issued_certificates').get()).toEqual({ n: 1 });
    } finally {
      await scep.close();
    }
  });
});
