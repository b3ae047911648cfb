package net.kimik2.api.credits;

/** Credits in micro-dollars: {@code available} may be spent now, {@code held} is reserved, {@code debt} blocks new prompts. */
public record CreditBalanceView(String userId, long available, long held, long debt) {

    public static CreditBalanceView empty(String userId) {
        return new CreditBalanceView(userId, 0, 0, 0);
    }
}
