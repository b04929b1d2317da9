#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: core_components
short_description: Install the Skype for Business Server core components and setup files
description:
  - Runs the media's C(Setup.exe /BootstrapLocalMgmt), which installs the core files (OCSCore) and the
    local management database, into O(install_path) or the product's default folder.
  - The release (2015, 2019 or Subscription Edition) is read from the media's version information
    (C(Get-Item)) and, once installed, from the Windows Installer entry "<product>, Core Components";
    it is never assumed.
  - Idempotent - nothing runs when the core components are installed in the wanted folder
    (C(Test-Path) on C(<install_path>\\Deployment\\Bootstrapper.exe)).
  - When setup exits with 3010 the server is restarted (M(ansible.windows.win_reboot) on real servers).
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  setup_path:
    description:
      - Full path of C(Setup.exe) on the server (media mounted or copied), usually C(<media>\\Setup\\amd64\\Setup.exe).
    type: str
    default: D:\Setup\amd64\Setup.exe
  install_path:
    description:
      - Installation folder, on any drive (seed 002 - not only the system drive). Defaults to the
        product's folder under C(C:\\Program Files).
    type: str
  install_dir_argument:
    description:
      - How the folder is given to C(Setup.exe); C({path}) is replaced by O(install_path). Microsoft does not
        document this switch; the default is an assumption, and the module checks the result with C(Test-Path).
    type: str
    default: "/InstallDir:{path}"
  reboot_timeout:
    description:
      - Seconds to wait for the server to come back when setup asks for a restart.
    type: int
    default: 1800
notes:
  - Setup.exe exit codes are not documented; 0 is success and 3010 (the Windows Installer convention)
    is read as success with a restart required.
seealso:
  - module: sfb.server.prerequisites_info
  - module: sfb.server.local_store
extends_documentation_fragment:
  - sfb.server.change
"""

EXAMPLES = r"""
- name: Install the core components on the data drive
  sfb.server.core_components:
    setup_path: D:\Setup\amd64\Setup.exe
    install_path: E:\Program Files\Skype for Business Server 2019
"""

RETURN = r"""
product:
  description: C(2015), C(2019) or C(SE).
  returned: success
  type: str
version:
  description: The version installed (or on the media).
  returned: success
  type: str
install_path:
  description: The installation folder.
  returned: success
  type: str
commands:
  description: The commands run (or that would run in check mode).
  returned: changed
  type: list
  elements: str
rebooted:
  description: Whether the server was restarted because setup asked for it.
  returned: changed and not check mode
  type: bool
round_trips:
  description: Round trips to the server.
  returned: always
  type: int
"""
