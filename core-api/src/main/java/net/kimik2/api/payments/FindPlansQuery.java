package net.kimik2.api.payments;

/** Answers a {@code List<PlanView>}. */
public record FindPlansQuery() {
}
