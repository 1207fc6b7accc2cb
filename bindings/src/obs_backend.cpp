// ObsBackend over the host's vta::obs connections.

#include <map>
#include <stdexcept>

#include "vta/bindings/host_backends.hpp"
#include "vta/bindings/obs_operations.hpp"
#include "vta/obs/replay_keeper.hpp"

namespace vta::bindings {

namespace {

using vta::obs::Client;

class ClientsBackend : public ObsBackend {
public:
    explicit ClientsBackend(obs::Connections& connections) : connections_(connections) {}

    void call(const std::string&, const std::string& target, const ObsOperation& op, const nlohmann::json& args,
              ActionDone done) override {
        std::shared_ptr<Client> client = find(target);
        if (!client) {
            done(vta::Error(vta::Errc::not_connected, "no OBS connection named or serving '" + target + "'"));
            return;
        }
        // The Lua module raises on these before calling; C++ callers get them as an error.
        if (op.check)
            if (const std::string why = op.check(args); !why.empty())
                return done(vta::Error(vta::Errc::invalid_argument, why));
        LiveObs live{client, connections_.io(), [this, client]() -> obs::ReplayKeeper& { return keeper(client); }};
        try {
            op.live(live, args, done);  // a copy: `done` still answers when the arguments are refused
        } catch (const std::invalid_argument& e) {
            done(vta::Error(vta::Errc::invalid_argument, e.what()));
        }
    }

    std::vector<std::string> members(const std::string& role) const override {
        std::vector<std::shared_ptr<Client>> serving;
        if (role == "all")
            serving = connections_.all();
        else if (role == "rec")
            serving = connections_.by_role(obs::Role::rec);
        else if (role == "str")
            serving = connections_.by_role(obs::Role::str);
        else if (role == "both")
            serving = connections_.by_role(obs::Role::both);
        std::vector<std::string> names;
        for (const auto& client : serving) names.push_back(client->name());
        return names;
    }

    void set_event_sink(HostEventSink sink) override {
        subscriptions_.clear();
        for (const auto& client : connections_.all()) {
            std::string name = client->name();
            std::string role(obs::to_string(client->role()));
            subscriptions_.push_back(client->on_state_change(
                [sink, name, role, was = std::make_shared<bool>(false)](const obs::ConnectionState& s) {
                    bool connected = s.state == obs::State::connected;
                    if (connected == *was) return;
                    *was = connected;
                    sink(connected ? "obs.connected" : "obs.disconnected",
                         {{"connection", name}, {"role", role}, {"reason", s.reason}});
                }));
            forward(*client, "RecordStateChanged", "obs.record_state", sink);
            forward(*client, "StreamStateChanged", "obs.stream_state", sink);
            forward(*client, "ReplayBufferSaved", "obs.replay_saved", sink);
            forward(*client, "ReplayBufferStateChanged", "obs.replay_state", sink);
            forward(*client, "CurrentProgramSceneChanged", "obs.scene_changed", sink);
        }
    }

private:
    obs::ReplayKeeper& keeper(const std::shared_ptr<Client>& client) {
        auto& keeper = keepers_[client.get()];
        if (!keeper) keeper = std::make_unique<obs::ReplayKeeper>(connections_.io(), client);
        return *keeper;
    }

    void forward(Client& client, const char* type, const char* kind, const HostEventSink& sink) {
        std::string name = client.name();
        std::string role(obs::to_string(client.role()));
        std::string k = kind;
        subscriptions_.push_back(client.subscribe(type, [sink, name, role, k](const obs::Event& e) {
            nlohmann::json data = e.data.is_object() ? e.data : nlohmann::json::object();
            data["connection"] = name;
            data["role"] = role;  // scripts address connections by role ("rec", "str") or by name
            if (data.contains("savedReplayPath")) data["path"] = data["savedReplayPath"];
            if (data.contains("outputPath")) data["path"] = data["outputPath"];
            if (data.contains("outputActive")) data["active"] = data["outputActive"];
            if (data.contains("outputState")) data["state"] = data["outputState"];
            if (data.contains("sceneName")) data["scene"] = data["sceneName"];
            sink(k, data);
        }));
    }

    std::shared_ptr<Client> find(const std::string& target) const {
        if (auto c = connections_.by_name(target)) return c;
        std::vector<std::shared_ptr<Client>> serving;
        if (target == "rec") serving = connections_.by_role(obs::Role::rec);
        if (target == "str") serving = connections_.by_role(obs::Role::str);
        return serving.empty() ? nullptr : serving.front();
    }

    obs::Connections& connections_;
    std::vector<obs::Subscription> subscriptions_;
    std::map<const Client*, std::unique_ptr<obs::ReplayKeeper>> keepers_;
};

}  // namespace

std::shared_ptr<ObsBackend> make_obs_backend(obs::Connections& connections) {
    return std::make_shared<ClientsBackend>(connections);
}

}  // namespace vta::bindings
