#include "vta/host/dry_run.hpp"

#include "vta/bindings/event.hpp"
#include "vta/host/capture.hpp"
#include "vta/host/ingest.hpp"
#include "vta/store/ingest_sink.hpp"

namespace vta::host {

bindings::DryRunReport dry_run(const std::filesystem::path& capture, const bindings::DryRunOptions& options,
                               std::ostream& out) {
    const CaptureResult read = read_capture(capture);
    if (!read.datagrams) {
        bindings::DryRunReport report;
        report.error = read.error;
        return report;
    }
    bindings::DryRunWorkflows workflows(options, out);
    store::DiscardingSink sink;
    Ingest ingest(sink, std::nullopt);
    ingest.set_observer([&workflows](const IngestedGroup& g) {
        for (const auto& event :
             bindings::events_from(g.group, g.update, g.state, g.event_id, g.arrival_us, g.match_id))
            workflows.dispatch(event);
    });
    std::int64_t last_ms = 0;
    std::size_t replayed = 0;
    for (const TimedDatagram& d : *read.datagrams) {
        if (workflows.out_of_time()) break;
        ++replayed;
        last_ms = std::max(last_ms, d.at_ms);
        workflows.advance_to(d.at_ms);
        pss::ReceivedDatagram datagram;
        datagram.bytes = d.bytes;
        datagram.arrival_us = d.at_ms * 1000;
        datagram.sender_name = "capture";
        ingest.on_datagram(datagram);
    }
    bindings::DryRunReport report = workflows.finish(last_ms);
    report.datagrams = replayed;
    return report;
}

}  // namespace vta::host
