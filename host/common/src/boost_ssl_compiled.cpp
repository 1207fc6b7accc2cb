// Boost.Asio's TLS (OpenSSL) part, compiled once like the rest of Asio (boost_compiled.cpp) but in its own
// library, so only the targets that speak TLS (the web server, the licence client) link OpenSSL's libssl.
#include <boost/asio/ssl/impl/src.hpp>
