-- A device that lost the reply to its PKCSReq sends it again with the same transactionID; the CA finds the
-- certificate it issued for that transaction (RFC 8894 §3.3.1: the transactionID names the transaction).
CREATE INDEX issued_certificates_transaction ON issued_certificates(transaction_id);
