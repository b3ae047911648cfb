package net.kimik2.command.accounts;

/** What a User-Agent says about the device: type (desktop, mobile, tablet, bot, other), OS and browser families. */
record DeviceInfo(String deviceType, String os, String browser) {

    static final DeviceInfo UNKNOWN = new DeviceInfo("other", "Other", "Other");

    /** Same device for the new-device notice: the same type, OS and browser (versions and IP may change). */
    String signature() {
        return deviceType + "|" + os + "|" + browser;
    }
}
