-- The payment plan's rules, enforced by the database as well as the service.
-- A value written by hand outside them before this migration is cleared
-- (the plan stays; a client sees the field as unset), not kept invalid.
UPDATE payment_plans SET payment_method = NULL
    WHERE payment_method NOT IN ('transfer', 'direct_debit', 'card', 'cheque');
UPDATE payment_plans SET payment_terms_days = NULL
    WHERE payment_terms_days NOT BETWEEN 0 AND 365;
ALTER TABLE payment_plans
    ADD CONSTRAINT payment_plans_payment_method_check
        CHECK (payment_method IN ('transfer', 'direct_debit', 'card', 'cheque')),
    ADD CONSTRAINT payment_plans_payment_terms_days_check
        CHECK (payment_terms_days BETWEEN 0 AND 365);
