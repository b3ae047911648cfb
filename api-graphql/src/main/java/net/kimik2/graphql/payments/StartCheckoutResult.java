package net.kimik2.graphql.payments;

/** The {@code StartCheckoutResult} union of payments.graphqls (member simple names are the GraphQL type names). */
sealed interface StartCheckoutResult {

    record CheckoutStarted(String checkoutUrl, String sessionId) implements StartCheckoutResult {
    }

    record ValidationFailed(String field, String message) implements StartCheckoutResult {
    }

    record PaymentsUnavailable(String message) implements StartCheckoutResult {
    }
}
