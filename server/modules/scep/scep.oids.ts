// Object identifiers and code values of SCEP itself (RFC 8894 §3.2.1); the CMS ones are in server/pki/oids.ts.

/** The SCEP attribute OIDs. */
export const SCEP_OID = Object.freeze({
  // RFC 8894 §3.2.1 (VeriSign arc) and §3.2.1.4 (failInfoText, id-pkix arc).
  messageType: '2.16.840.1.113733.1.9.2',
  pkiStatus: '2.16.840.1.113733.1.9.3',
  failInfo: '2.16.840.1.113733.1.9.4',
  senderNonce: '2.16.840.1.113733.1.9.5',
  recipientNonce: '2.16.840.1.113733.1.9.6',
  transactionId: '2.16.840.1.113733.1.9.7',
  failInfoText: '1.3.6.1.5.5.7.24.1',
});

/** SCEP messageType values (RFC 8894 §3.2.1.2). */
export const MessageType = Object.freeze({
  CertRep: '3',
  RenewalReq: '17',
  UpdateReq: '18',
  PKCSReq: '19',
  CertPoll: '20',
  GetCert: '21',
  GetCRL: '22',
});

/** SCEP pkiStatus values (RFC 8894 §3.2.1.3). */
export const PkiStatus = Object.freeze({ SUCCESS: '0', FAILURE: '2', PENDING: '3' });

/** SCEP failInfo values (RFC 8894 §3.2.1.4). */
export const FailInfo = Object.freeze({
  badAlg: '0',
  badMessageCheck: '1',
  badRequest: '2',
  badTime: '3',
  badCertId: '4',
});

/** A failInfo by name: badAlg, badMessageCheck, badRequest, badTime or badCertId. */
export type FailInfoName = keyof typeof FailInfo;
