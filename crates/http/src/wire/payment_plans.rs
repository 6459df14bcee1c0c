//! The JSON shape a payment plan is sent in; it is shown as
//! [`super::PaymentPlanBody`].

use prospects_domain::PaymentPlanInput;

use super::lenient::{Integer, Text, lenient_request};

lenient_request! {
    /// A payment plan, replaced whole: `payment_method` (`transfer`,
    /// `direct_debit`, `card` or `cheque`) and `payment_terms_days` (0 to
    /// 365), both required.
    #[schema(example = json!({"payment_method": "transfer", "payment_terms_days": 30}))]
    pub struct PaymentPlanRequest {
        #[schema(required = true)]
        pub payment_method: Text<1, 32, false>,
        // 0 to 365.
        #[schema(required = true)]
        pub payment_terms_days: Integer,
    }
}

impl From<PaymentPlanRequest> for PaymentPlanInput {
    fn from(sent: PaymentPlanRequest) -> Self {
        PaymentPlanInput {
            payment_method: sent.payment_method.into_patch(),
            payment_terms_days: sent.payment_terms_days.into_patch(),
        }
    }
}
