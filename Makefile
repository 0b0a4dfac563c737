# Antre: build and install the daemon, the CLI and their systemd integration.
#
#   make                      release build of antred, antre and antre-board (Swift stdlib linked statically)
#   make install              install under PREFIX (default /usr/local); DESTDIR for staging
#   make install PREFIX=/usr  the layout the .deb uses (scripts/build-deb.sh)
#   make check-units          systemd-analyze verify + security on systemd/
#   make deb                  dist/antre_VERSION_ARCH.deb
#
# The config always lives in /etc/antre (the unit and antred's default say so), whatever
# PREFIX is; unit, sysusers, tmpfiles and udev files go where systemd looks under PREFIX
# (/usr/local/lib/systemd/system is on systemd's unit path). The unit in systemd/ names
# /usr/bin/antred; install rewrites that to $(BINDIR)/antred.

PREFIX      ?= /usr/local
DESTDIR     ?=
BINDIR      ?= $(PREFIX)/bin
SYSCONFDIR  ?= /etc
LIBDIR      ?= $(PREFIX)/lib
UNITDIR     ?= $(LIBDIR)/systemd/system
SYSUSERSDIR ?= $(LIBDIR)/sysusers.d
TMPFILESDIR ?= $(LIBDIR)/tmpfiles.d
UDEVRULESDIR ?= $(LIBDIR)/udev/rules.d
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
DOCDIR      ?= $(DATADIR)/doc/antre
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATADIR)/zsh/site-functions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d
# The io.antre.Queue interface description for generic Varlink tools, written by `antre idl`.
VARLINKDIR  ?= $(DATADIR)/varlink

SWIFT       ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
SWIFT_FLAGS ?= -c release --static-swift-stdlib
PRODUCTS    := antred antre antre-board
GEN         := .build/antre-gen
INSTALL     ?= install
# Strip symbols and debug info from installed binaries (antred: 120 MB -> 72 MB on disk; its idle
# memory is in README "Commit path, group commit and the socket"); STRIP= keeps them.
STRIP       ?= -s

.PHONY: all build man completions install install-bin install-systemd install-config \
        install-docs post-install uninstall check-units deb clean-gen

all: build man completions

# One product per call: `swift build` honours only the last --product.
build:
	@set -e; for p in $(PRODUCTS); do $(SWIFT) build $(SWIFT_FLAGS) --product $$p; done

# Where `swift build` put the binaries (asked, not guessed: the triple is in the path).
BIN = $(shell $(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)

# Man pages: antred(8), antre(1) and antre-board(1), from each command's ArgumentParser definition.
man: build
	BIN="$(BIN)" SWIFT="$(SWIFT)" scripts/gen-man.sh $(GEN)/man antred:8 antre:1 antre-board:1

# Shell completions, straight from ArgumentParser.
completions: build
	@mkdir -p $(GEN)/completions/bash $(GEN)/completions/zsh $(GEN)/completions/fish
	@set -e; for p in $(PRODUCTS); do \
	  for sh in bash zsh fish; do \
	    case $$sh in bash) out=$(GEN)/completions/bash/$$p ;; zsh) out=$(GEN)/completions/zsh/_$$p ;; \
	                 fish) out=$(GEN)/completions/fish/$$p.fish ;; esac; \
	    "$(BIN)/$$p" --generate-completion-script $$sh > $$out.tmp; \
	    grep -q "$$p" $$out.tmp || { echo "completions: $$p printed no $$sh completion script" >&2; rm -f $$out.tmp; exit 1; }; \
	    mv $$out.tmp $$out; \
	  done; \
	done; echo "completions: $(GEN)/completions"

install: all install-bin install-systemd install-config install-docs post-install

install-bin:
	$(INSTALL) -d $(DESTDIR)$(BINDIR)
	$(INSTALL) $(STRIP) -m 0755 $(addprefix $(BIN)/,$(PRODUCTS)) $(DESTDIR)$(BINDIR)/

install-systemd:
	$(INSTALL) -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR)
	sed 's|/usr/bin/antred|$(BINDIR)/antred|g' systemd/antred.service > $(DESTDIR)$(UNITDIR)/antred.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/antred.service
	sed 's|/usr/bin/antre-board|$(BINDIR)/antre-board|g' systemd/antre-board.service > $(DESTDIR)$(UNITDIR)/antre-board.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/antre-board.service
	$(INSTALL) -m 0644 systemd/antre.sysusers.conf $(DESTDIR)$(SYSUSERSDIR)/antre.conf
	$(INSTALL) -m 0644 systemd/antre.tmpfiles.conf $(DESTDIR)$(TMPFILESDIR)/antre.conf
	@set -e; for rule in systemd/*.rules; do \
	  [ -e "$$rule" ] || continue; \
	  $(INSTALL) -d $(DESTDIR)$(UDEVRULESDIR); \
	  $(INSTALL) -m 0644 "$$rule" $(DESTDIR)$(UDEVRULESDIR)/; \
	  echo "install: $$rule -> $(UDEVRULESDIR)"; \
	done

# The example config becomes /etc/antre/antre.toml only if there is none: never
# overwrite a technician's file. It is always kept in the docs as a reference.
install-config:
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/antre
	@if [ ! -f config/antre.toml ]; then \
	  echo "install: config/antre.toml missing; no example config installed" >&2; \
	elif [ -e $(DESTDIR)$(SYSCONFDIR)/antre/antre.toml ]; then \
	  echo "install: keeping existing $(DESTDIR)$(SYSCONFDIR)/antre/antre.toml"; \
	else \
	  $(INSTALL) -m 0644 config/antre.toml $(DESTDIR)$(SYSCONFDIR)/antre/antre.toml; \
	  echo "install: $(SYSCONFDIR)/antre/antre.toml (example; edit it)"; \
	fi

install-docs:
	$(INSTALL) -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR)
	$(INSTALL) -m 0644 $(GEN)/man/antre.1 $(GEN)/man/antre-board.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 $(GEN)/man/antred.8 $(DESTDIR)$(MANDIR)/man8/
	@if [ -f config/antre.toml ]; then $(INSTALL) -m 0644 config/antre.toml $(DESTDIR)$(DOCDIR)/antre.toml.example; fi
	$(INSTALL) -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	$(INSTALL) -m 0644 $(GEN)/completions/bash/* $(DESTDIR)$(BASHCOMPDIR)/
	$(INSTALL) -m 0644 $(GEN)/completions/zsh/* $(DESTDIR)$(ZSHCOMPDIR)/
	$(INSTALL) -m 0644 $(GEN)/completions/fish/* $(DESTDIR)$(FISHCOMPDIR)/
	$(INSTALL) -d $(DESTDIR)$(VARLINKDIR)
	"$(BIN)/antre" idl > $(DESTDIR)$(VARLINKDIR)/io.antre.Queue.varlink.tmp
	grep -q '^interface io.antre.Queue$$' $(DESTDIR)$(VARLINKDIR)/io.antre.Queue.varlink.tmp
	mv $(DESTDIR)$(VARLINKDIR)/io.antre.Queue.varlink.tmp $(DESTDIR)$(VARLINKDIR)/io.antre.Queue.varlink
	chmod 0644 $(DESTDIR)$(VARLINKDIR)/io.antre.Queue.varlink

# On a live install (no DESTDIR) create the user/groups and directories right away,
# so `systemctl enable --now antred` works next; packages do this in postinst instead.
post-install:
	@if [ -z "$(DESTDIR)" ]; then \
	  if command -v systemd-sysusers >/dev/null; then systemd-sysusers $(SYSUSERSDIR)/antre.conf; fi; \
	  if command -v systemd-tmpfiles >/dev/null; then systemd-tmpfiles --create $(TMPFILESDIR)/antre.conf; fi; \
	  if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
	  echo "next: edit $(SYSCONFDIR)/antre/antre.toml, then: systemctl enable --now antred antre-board"; \
	fi

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(PRODUCTS))
	rm -f $(DESTDIR)$(UNITDIR)/antred.service $(DESTDIR)$(UNITDIR)/antre-board.service $(DESTDIR)$(SYSUSERSDIR)/antre.conf $(DESTDIR)$(TMPFILESDIR)/antre.conf
	@for rule in systemd/*.rules; do [ -e "$$rule" ] && rm -f $(DESTDIR)$(UDEVRULESDIR)/$$(basename $$rule); done; true
	rm -f $(DESTDIR)$(MANDIR)/man1/antre.1 $(DESTDIR)$(MANDIR)/man1/antre-board.1 $(DESTDIR)$(MANDIR)/man8/antred.8
	rm -f $(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(PRODUCTS)) $(addprefix $(DESTDIR)$(ZSHCOMPDIR)/_,$(PRODUCTS))
	rm -f $(addsuffix .fish,$(addprefix $(DESTDIR)$(FISHCOMPDIR)/,$(PRODUCTS)))
	rm -rf $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(VARLINKDIR)/io.antre.Queue.varlink
	@echo "uninstall: left $(SYSCONFDIR)/antre and /var/lib/antre (config and queue database) in place"

check-units:
	scripts/check-systemd-units.sh

deb:
	scripts/build-deb.sh

clean-gen:
	rm -rf $(GEN)
