extension DaemonConfiguration {
    /// Top-level sections in which `fresh` differs from this running configuration other than in what a reload
    /// (SIGHUP) applies — `models` and the CURVE allow-lists —, so these need a restart to take effect. CURVE is
    /// left out altogether: the daemon's socket security reports a changed server key itself when it reloads.
    public func sectionsNeedingRestart(toApply fresh: DaemonConfiguration) -> [String] {
        var sections: [String] = []
        let running = withoutCurve(), wanted = fresh.withoutCurve()
        if wanted.observations != running.observations { sections.append("sockets.observations") }
        if wanted.predictions != running.predictions { sections.append("sockets.predictions") }
        if fresh.limits != limits { sections.append("limits") }
        if fresh.state != state { sections.append("state") }
        if fresh.logging != logging { sections.append("logging") }
        if fresh.http != http { sections.append("http") }
        var rest = wanted
        rest.models = models
        if sections.isEmpty && rest != running { sections.append("other settings") }
        return sections
    }

    /// This configuration without its CURVE settings (see above).
    private func withoutCurve() -> DaemonConfiguration {
        var copy = self
        copy.observations.curve = nil
        copy.predictions.curve = nil
        return copy
    }
}
