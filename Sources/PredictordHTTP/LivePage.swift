/// The live page, compiled into the binary (no CDN: the daemon's machines may be offline).
enum LivePage {
    static let html = "<!doctype html><title>predictord</title><p>predictord</p>"
}
