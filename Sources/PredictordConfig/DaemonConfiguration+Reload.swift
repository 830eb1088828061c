extension DaemonConfiguration {
    /// Top-level sections (other than `models`) in which `fresh` differs from this running configuration: a
    /// reload (SIGHUP) applies only `models`, so these need a restart to take effect.
    public func sectionsNeedingRestart(toApply fresh: DaemonConfiguration) -> [String] {
        var sections: [String] = []
        if fresh.observations != observations { sections.append("sockets.observations") }
        if fresh.predictions != predictions { sections.append("sockets.predictions") }
        if fresh.limits != limits { sections.append("limits") }
        if fresh.state != state { sections.append("state") }
        if fresh.logging != logging { sections.append("logging") }
        var rest = fresh
        rest.models = models
        if sections.isEmpty && rest != self { sections.append("other settings") }
        return sections
    }
}
