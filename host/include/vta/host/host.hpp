// The running host: UDP listener -> ingest (codec, match state) -> store writer and the Lua
// workflows, with the configured OBS connections, all on one io_context.
// `vta run` drives it headless; the control panel will drive the same object.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "vta/host/config.hpp"
#include "vta/bindings/runtime.hpp"
#include "vta/host/ingest.hpp"
#include "vta/obs/connections.hpp"
#include "vta/store/database.hpp"

namespace vta::host {

struct HostSetup {
  Config config;
  std::filesystem::path database;  // resolved path of the SQLite file
  std::vector<std::filesystem::path> workflow_folders;  // shipped, user, then the config's
};

class Host {
 public:
  // Opens the store, makes sure a tournament day is active and binds the UDP port. On failure
  // returns nullptr and sets `error` to what the user can do about it.
  static std::unique_ptr<Host> create(boost::asio::io_context& io, const HostSetup& setup, std::string& error);
  ~Host();

  void start();
  // Stops receiving, commits everything received and closes the store. Safe to call twice.
  void stop();

  const Ingest& ingest() const { return *ingest_; }
  const pss::UdpListener& listener() const { return *listener_; }
  std::int64_t committed_datagram_id() const { return committed_datagram_id_.load(); }
  const store::ActiveDay& active_day() const { return day_; }
  obs::Connections& obs() { return *obs_; }
  bindings::Runtime& workflows() { return *workflows_; }

 private:
  Host(boost::asio::io_context& io, const HostSetup& setup);
  void report_every_second();
  void publish_counters();

  boost::asio::io_context& io_;
  HostSetup setup_;
  store::ActiveDay day_;
  std::unique_ptr<store::Writer> writer_;
  std::unique_ptr<Ingest> ingest_;
  std::unique_ptr<pss::UdpListener> listener_;
  std::unique_ptr<obs::Connections> obs_;
  std::vector<obs::Subscription> obs_state_logging_;
  std::unique_ptr<bindings::Runtime> workflows_;
  boost::asio::steady_timer report_timer_;
  std::atomic<std::int64_t> committed_datagram_id_{0};
  std::int64_t reported_datagram_id_ = -1;
  bool stopped_ = false;
};

}  // namespace vta::host
