//! Diesel's view of the tables; the SQL lives in `migrations/`.

diesel::table! {
    users (id) {
        id -> BigInt,
        name -> Text,
        email -> Text,
        role -> Integer,
        active -> Bool,
        password_hash -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    brands (id) {
        id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sectors (id) {
        id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    clusters (id) {
        id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    batches (id) {
        id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    prospection_codes (id) {
        id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        position -> Integer,
    }
}

diesel::table! {
    /// Prospects and customers: `kind` tells them apart.
    accounts (id) {
        id -> BigInt,
        kind -> Text,
        name -> Text,
        brand_id -> Nullable<BigInt>,
        representative_id -> Nullable<BigInt>,
        customer_account -> Text,
        accounts_reference -> Nullable<Text>,
        registration_number -> Nullable<Text>,
        tax_registration_number -> Nullable<Text>,
        #[sql_name = "type"]
        legal_form -> Nullable<Text>,
        capital -> Nullable<Text>,
        activity_code -> Nullable<Text>,
        sector_id -> Nullable<BigInt>,
        cluster_id -> Nullable<BigInt>,
        batch_id -> Nullable<BigInt>,
        email_address -> Nullable<Text>,
        account_email_address -> Nullable<Text>,
        phone -> Nullable<Text>,
        mobile_phone -> Nullable<Text>,
        fax -> Nullable<Text>,
        main_contact_first_name -> Nullable<Text>,
        main_contact_last_name -> Nullable<Text>,
        main_address_line1 -> Nullable<Text>,
        main_address_line2 -> Nullable<Text>,
        main_address_postal_code -> Nullable<Text>,
        main_address_city -> Nullable<Text>,
        main_address_country -> Text,
        website -> Nullable<Text>,
        active -> Bool,
        charge_vat -> Bool,
        merge_invoices -> Bool,
        accept_emails -> Bool,
        accept_calls -> Bool,
        comment -> Nullable<Text>,
        prospection_code_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name_key -> Text,
        search_document -> Text,
        prospect_id -> Nullable<BigInt>,
        converted_customer_id -> Nullable<BigInt>,
        converted_at -> Nullable<Timestamp>,
        version -> BigInt,
    }
}

diesel::table! {
    contacts (id) {
        id -> BigInt,
        account_id -> BigInt,
        civility -> Nullable<BigInt>,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        email_address -> Nullable<Text>,
        company -> Nullable<Text>,
        mobile_phone -> Nullable<Text>,
        landline_phone -> Nullable<Text>,
        role -> Nullable<Text>,
        active -> Bool,
        legal_representative -> Bool,
        invoices_recipient -> Bool,
        newsletters_recipient -> Bool,
        technical_contact -> Bool,
        comment -> Nullable<Text>,
        mobile_phone_e164 -> Nullable<Text>,
        landline_phone_e164 -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    documents (id) {
        id -> BigInt,
        account_id -> BigInt,
        name -> Text,
        mime_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        storage_key -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    payment_plans (id) {
        id -> BigInt,
        account_id -> BigInt,
        payment_method -> Nullable<Text>,
        payment_terms_days -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    notes (id) {
        id -> BigInt,
        account_id -> BigInt,
        user_id -> Nullable<BigInt>,
        title -> Nullable<Text>,
        body -> Text,
        #[sql_name = "type"]
        note_type -> Nullable<Text>,
        priority -> Integer,
        shared -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    /// Accounts per kind and representative (0: none), in shards whose sum
    /// is the count; kept by triggers (migration 000011).
    account_counts (kind, representative_id, shard) {
        kind -> Text,
        representative_id -> BigInt,
        shard -> SmallInt,
        n -> BigInt,
    }
}

diesel::joinable!(contacts -> accounts (account_id));
diesel::joinable!(notes -> accounts (account_id));
diesel::joinable!(documents -> accounts (account_id));
diesel::joinable!(payment_plans -> accounts (account_id));

diesel::table! {
    /// Idempotency keys: a creating request's key, claimed while it runs,
    /// then the response it got (migration 000015).
    idempotency_keys (user_id, idempotency_key) {
        user_id -> BigInt,
        idempotency_key -> Text,
        fingerprint -> Text,
        holder -> Text,
        leased_until -> Timestamp,
        created_at -> Timestamp,
        status -> Nullable<Integer>,
        headers -> Nullable<Text>,
        body -> Nullable<Text>,
    }
}

diesel::joinable!(idempotency_keys -> users (user_id));

diesel::table! {
    /// Append-only (triggers refuse UPDATE and DELETE); no foreign keys, so
    /// that a deleted account's history stays.
    account_history (id) {
        id -> BigInt,
        account_id -> BigInt,
        kind -> Text,
        action -> Text,
        subject -> Text,
        subject_id -> Nullable<BigInt>,
        user_id -> BigInt,
        token_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        at -> Timestamp,
        changes -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    users,
    brands,
    sectors,
    clusters,
    batches,
    prospection_codes,
    accounts,
    account_counts,
    contacts,
    notes,
    documents,
    payment_plans,
    revoked_tokens,
    idempotency_keys,
    account_history,
);

diesel::table! {
    /// One row: the version of the folding rules the stored search columns
    /// were written with (see `store::refold`).
    search_folding (version) {
        version -> Integer,
    }
}

diesel::table! {
    revoked_tokens (revocation_id) {
        revocation_id -> Text,
        revoked_at -> Timestamp,
    }
}
