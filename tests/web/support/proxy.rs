//! A TCP proxy in front of the test's PostgreSQL server, which a test can cut, stall and
//! restore to play a database that goes away and comes back.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Pass bytes both ways.
    Forward,
    /// Accept connections and never answer: a database behind a dead network.
    Stall,
}

pub struct Proxy {
    pub port: u16,
    upstream: SocketAddr,
    listener: Option<JoinHandle<()>>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let mut proxy = Self {
            port,
            upstream,
            listener: None,
            connections: Arc::default(),
        };
        proxy.listen(listener, Mode::Forward);
        proxy
    }

    /// Closes every connection and refuses new ones: the database is down.
    pub async fn cut(&mut self) {
        self.stop_listening().await;
        self.close_connections().await;
    }

    /// Closes every connection, then takes new ones and never answers.
    pub async fn stall(&mut self) {
        self.cut().await;
        let listener = self.rebind().await;
        self.listen(listener, Mode::Stall);
    }

    /// Closes whatever is stalled and passes traffic again: the database is back.
    pub async fn restore(&mut self) {
        self.cut().await;
        let listener = self.rebind().await;
        self.listen(listener, Mode::Forward);
    }

    fn listen(&mut self, listener: TcpListener, mode: Mode) {
        let (upstream, connections) = (self.upstream, self.connections.clone());
        self.listener = Some(tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let connection = tokio::spawn(async move {
                    match mode {
                        Mode::Forward => {
                            if let Ok(mut server) = TcpStream::connect(upstream).await {
                                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                            }
                        }
                        Mode::Stall => {
                            std::future::pending::<()>().await;
                            drop(client);
                        }
                    }
                });
                connections.lock().unwrap().push(connection);
            }
        }));
    }

    async fn stop_listening(&mut self) {
        if let Some(listener) = self.listener.take() {
            listener.abort();
            let _ = listener.await;
        }
    }

    async fn close_connections(&self) {
        let connections: Vec<_> = self.connections.lock().unwrap().drain(..).collect();
        for connection in connections {
            connection.abort();
            let _ = connection.await;
        }
    }

    async fn rebind(&self) -> TcpListener {
        for _ in 0..50 {
            if let Ok(listener) = TcpListener::bind(("127.0.0.1", self.port)).await {
                return listener;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("cannot listen on 127.0.0.1:{} again", self.port);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(listener) = &self.listener {
            listener.abort();
        }
        for connection in self.connections.lock().unwrap().iter() {
            connection.abort();
        }
    }
}
