package net.kimik2.api.payments;

import java.util.List;

public record BillingPage(List<BillingEntryView> entries, boolean hasNextPage, String endCursor) {
}
