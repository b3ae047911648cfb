package net.kimik2.api.payments;

/** A dispute's state as far as credits are concerned; WON and LOST are final. */
public enum DisputeStatus {
    OPEN,
    WON,
    LOST;

    public boolean closed() {
        return this != OPEN;
    }
}
