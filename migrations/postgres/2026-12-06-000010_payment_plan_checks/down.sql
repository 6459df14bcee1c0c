ALTER TABLE payment_plans
    DROP CONSTRAINT payment_plans_payment_terms_days_check,
    DROP CONSTRAINT payment_plans_payment_method_check;
