# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # The attributes every module that changes a server shares.
    DOCUMENTATION = r"""
attributes:
  check_mode:
    support: full
    description: Reports in C(commands) what would run, and changes nothing on the server.
  diff_mode:
    support: full
    description: Shows the state before and after the change.
  platform:
    support: full
    platforms: windows
    description: Runs on Windows servers and Cloud Connector appliances, and on the twin.
"""
