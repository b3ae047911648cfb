package net.kimik2.api.credits;

public record FindCreditBalanceQuery(String userId) {
}
